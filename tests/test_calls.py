"""Calls: the lab writes, publishes, edits, closes, archives and builds questions; agents find open calls."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.calls.models import Call, Question
from app.calls.operations import close_expired
from app.database import session
from app.clock import utcnow
from tests.conftest import sign_in


def call_form(**overrides):
    deadline = (datetime.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "Design des services", "summary": "Repenser l'accueil.", "body": "# Défi\n\nTexte",
            "capacity": "5", "deadline": deadline, "audience_all": "all", "commitment_kind": "percent",
            "commitment_value": "10", "start_date": "2027-01-01", "end_date": "2027-06-30",
            "needs_manager_agreement": "y", "contact": "labo@region.fr"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def lab_client(client, people):
    return sign_in(client, people["lab"])


def calls_count():
    return session.execute(select(func.count(Call.id))).scalar_one()


def test_lab_writes_a_draft_then_publishes_it(lab_client):
    response = lab_client.post("/lab/calls/new", data=call_form(commitment_value="12,5"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    call = session.execute(select(Call)).scalar_one()
    assert call.status == "draft" and call.commitment_value == Decimal("12.5") and call.capacity == 5
    typed = call_form()["deadline"]
    assert call.deadline.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M") == typed, \
        "the deadline is typed in Paris time and stored in UTC"
    page = lab_client.get(f"/lab/calls/{call.id}").get_data(as_text=True)
    assert "<h3>Défi</h3>" in page and "Brouillon" in page, "the description's headings sit under the page's"
    assert lab_client.post(f"/lab/calls/{call.id}/publish").status_code == 302
    session.expire_all()
    assert call.status == "published" and call.published_at is not None


@pytest.mark.parametrize("overrides, field_error", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"summary": "x" * 501}, "summary"),
    ({"deadline": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "deadline"),
    ({"deadline": "demain"}, "deadline"),
    ({"end_date": "2026-12-01"}, "end_date"),
    ({"commitment_value": "-3"}, "commitment_value"),
    ({"commitment_value": "150"}, "commitment_value"),
    ({"commitment_value": "beaucoup"}, "commitment_value"),
    ({"commitment_kind": "hours_per_month", "commitment_value": "500"}, "commitment_value"),
    ({"commitment_kind": "forever"}, "commitment_kind"),
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "-1"}, "capacity"),
    ({"audience_all": "units"}, "audience_units"),
    ({"body": "x" * 20001}, "body"),
])
def test_bad_call_input_gets_a_field_message_and_writes_nothing(lab_client, overrides, field_error):
    response = lab_client.post("/lab/calls/new", data=call_form(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field_error}-error"' in page
    assert calls_count() == 0


def test_audience_units_are_saved_and_respected(app, lab_client, people, make_unit, make_user):
    lycees = make_unit("DGS/Direction des lycées")
    response = lab_client.post("/lab/calls/new", data=call_form(audience_all="units", audience_units=[lycees.id]))
    assert response.status_code == 302
    call = session.execute(select(Call)).scalar_one()
    lab_client.post(f"/lab/calls/{call.id}/publish")
    inside = make_user(unit=make_unit("DGS/Direction des lycées/Service restauration"))
    outside = people["agent"]
    inside_client = sign_in(app.test_client(), inside)
    assert "Design des services" in inside_client.get("/calls").get_data(as_text=True)
    assert inside_client.get(f"/calls/{call.id}").status_code == 200
    outside_client = sign_in(app.test_client(), outside)
    assert "Design des services" not in outside_client.get("/calls").get_data(as_text=True)
    assert outside_client.get(f"/calls/{call.id}").status_code == 404
    assert outside_client.get(f"/calls/{call.id}/sign-up").status_code == 404


def test_edit_is_audited_field_by_field(lab_client, make_call):
    call = make_call(capacity=5)
    response = lab_client.post(f"/lab/calls/{call.id}/edit", data=call_form(title="Nouveau titre", capacity="7"))
    assert response.status_code == 302
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "call.updated")).scalar_one()
    assert entry.details["changes"]["title"] == ["Atelier design des services", "Nouveau titre"]
    assert entry.details["changes"]["capacity"] == [5, 7]


def test_capacity_cannot_go_below_places_held(app, lab_client, make_call, make_user):
    from app.signups.operations import sign_up

    call = make_call(capacity=3)
    for _ in range(3):
        sign_up(call.id, make_user(), "Motivé", Decimal(10))
    session.commit()
    response = lab_client.post(f"/lab/calls/{call.id}/edit", data=call_form(capacity="2", title=call.title))
    assert response.status_code == 200
    assert "Places déjà occupées : 3." in response.get_data(as_text=True).replace("\u00a0", " ")
    session.expire_all()
    assert call.capacity == 3


def test_raising_capacity_promotes_the_waiting_list(lab_client, make_call, make_user):
    from app.signups.models import SignUp
    from app.signups.operations import sign_up

    call = make_call(capacity=1)
    first, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10))
    second, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10))
    session.commit()
    assert second.status == "waitlisted"
    lab_client.post(f"/lab/calls/{call.id}/edit", data=call_form(capacity="2", title=call.title))
    session.expire_all()
    assert session.get(SignUp, second.id).status == "pending_manager" and call.held_places == 2


def test_close_archive_and_deadline(lab_client, make_call):
    call = make_call()
    assert lab_client.post(f"/lab/calls/{call.id}/archive").status_code == 302
    session.expire_all()
    assert call.status == "published", "a published call is closed before it is archived"
    lab_client.post(f"/lab/calls/{call.id}/close")
    session.expire_all()
    assert call.status == "closed"
    lab_client.post(f"/lab/calls/{call.id}/archive")
    session.expire_all()
    assert call.status == "archived"
    assert lab_client.get(f"/lab/calls/{call.id}/edit").status_code == 403


def test_calls_close_by_themselves_at_the_deadline(app, make_call, client, people):
    call = make_call()
    assert close_expired(now=utcnow()) == []
    call.deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    assert "Atelier design" not in sign_in(client, people["agent"]).get("/calls").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["calls", "close-expired"])
    assert result.exit_code == 0 and "1 appel clos" in result.output
    session.expire_all()
    assert session.get(Call, call.id).status == "closed"
    assert close_expired() == []


def test_publishing_after_the_deadline_is_refused(lab_client, make_call):
    call = make_call(status="draft", deadline=utcnow() + timedelta(days=1))
    call.deadline = utcnow() - timedelta(days=1)
    session.commit()
    response = lab_client.post(f"/lab/calls/{call.id}/publish", follow_redirects=True)
    assert "clôture des candidatures est dépassée" in response.get_data(as_text=True)
    session.expire_all()
    assert call.status == "draft"


class TestQuestions:
    def test_add_move_remove(self, lab_client, make_call):
        call = make_call(status="draft")
        for label in ("Premier", "Second"):
            response = lab_client.post(f"/lab/calls/{call.id}/questions",
                                       data={"kind": "short_text", "label": label, "required": "y"})
            assert response.status_code == 302
        first, second = session.execute(select(Question).order_by(Question.position)).scalars()
        first_id = first.id
        lab_client.post(f"/lab/calls/{call.id}/questions/{second.id}/move", data={"direction": "up"})
        session.expire_all()
        assert [q.label for q in session.get(Call, call.id).active_questions] == ["Second", "Premier"]
        lab_client.post(f"/lab/calls/{call.id}/questions/{first_id}/remove")
        session.expire_all()
        assert [q.label for q in session.get(Call, call.id).active_questions] == ["Second"]
        assert session.get(Question, first_id) is None, "a question never answered is deleted"

    @pytest.mark.parametrize("data, error", [
        ({"kind": "single_choice", "label": "Choix ?", "choices": "Un seul"}, "choices"),
        ({"kind": "short_text", "label": ""}, "label"),
        ({"kind": "mystery", "label": "Quoi ?"}, "kind"),
        ({"kind": "number", "label": "Combien ?", "min_value": "10", "max_value": "2"}, "max_value"),
        ({"kind": "short_text", "label": "x" * 301}, "label"),
    ])
    def test_bad_question_is_refused(self, lab_client, make_call, data, error):
        call = make_call(status="draft")
        response = lab_client.post(f"/lab/calls/{call.id}/questions", data=data)
        assert response.status_code == 422
        assert f'id="{error}-error"' in response.get_data(as_text=True)
        assert session.execute(select(func.count(Question.id))).scalar_one() == 0

    def test_removing_an_answered_question_keeps_the_answers_readable(self, app, lab_client, make_call, make_user):
        from app.signups.operations import sign_up

        call = make_call(questions=[("short_text", "Votre service préféré ?", True, [])])
        question = call.active_questions[0]
        signup, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10), answers=[(question, "La cantine")])
        session.commit()
        lab_client.post(f"/lab/calls/{call.id}/questions/{question.id}/remove")
        session.expire_all()
        assert session.get(Question, question.id).removed is True
        page = lab_client.get(f"/lab/calls/{call.id}/sign-ups").get_data(as_text=True)
        assert "Votre service préféré ?" in page and "La cantine" in page
        detail = lab_client.get(f"/lab/sign-ups/{signup.id}").get_data(as_text=True)
        assert "Votre service préféré ?" in detail and "La cantine" in detail


class TestAgentList:
    def test_open_calls_with_places_left_search_and_filter(self, client, people, make_call):
        make_call(title="Atelier accueil", capacity=4)
        make_call(title="Tests du formulaire", kind="total_hours", value=Decimal(2))
        make_call(title="Brouillon secret", status="draft")
        page = sign_in(client, people["agent"]).get("/calls").get_data(as_text=True)
        assert "Atelier accueil" in page and "Tests du formulaire" in page and "Brouillon secret" not in page
        assert "4 sur 4" in page
        page = client.get("/calls?q=FORMULAIRE").get_data(as_text=True)
        assert "Tests du formulaire" in page and "Atelier accueil" not in page
        page = client.get("/calls?kind=total_hours").get_data(as_text=True)
        assert "Tests du formulaire" in page and "Atelier accueil" not in page
        assert client.get("/calls?kind=forever").status_code == 200

    def test_drafts_and_archives_are_not_readable_by_agents(self, client, people, make_call):
        from app.calls.operations import archive, close

        draft = make_call(status="draft")
        archived = make_call(title="Archivé")
        close(archived, people["lab"])
        archive(archived, people["lab"])
        session.commit()
        agent_client = sign_in(client, people["agent"])
        assert agent_client.get(f"/calls/{draft.id}").status_code == 404
        assert agent_client.get(f"/calls/{archived.id}").status_code == 404
        assert "Archivé" not in agent_client.get("/calls").get_data(as_text=True)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "{{7*7}}", "<img src=x onerror=alert(1)>"])
def test_payloads_in_call_fields_and_questions_render_as_text(app, client, people, make_call, payload):
    call = make_call(title=f"T {payload}", summary=f"S {payload}", contact=payload, body=f"B {payload}",
                     questions=[("single_choice", f"Q {payload}", True, [f"C {payload}", "Autre"])])
    agent_client = sign_in(client, people["agent"])
    for url in ("/calls", f"/calls/{call.id}", f"/calls/{call.id}/sign-up"):
        main = agent_client.get(url).get_data(as_text=True).split("<main")[1]
        assert "<script>alert" not in main and "<img src=x" not in main, url
        if payload == "{{7*7}}":
            assert "{{7*7}}" in main


def test_editing_an_answered_question_keeps_the_answers_label(app, lab_client, make_call, make_user):
    from app.signups.operations import sign_up

    call = make_call(questions=[("single_choice", "Atelier ?", True, ["Matin", "Après-midi"])])
    question = call.active_questions[0]
    signup, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10), answers=[(question, "Matin")])
    session.commit()
    page = lab_client.get(f"/lab/calls/{call.id}/questions/{question.id}/edit").get_data(as_text=True)
    assert "Matin\nAprès-midi" in page
    response = lab_client.post(f"/lab/calls/{call.id}/questions/{question.id}/edit", data={
        "kind": "single_choice", "label": "Quel créneau ?", "choices": "Matin\nAprès-midi\nSoir", "required": "y"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Question, question.id).choices == ["Matin", "Après-midi", "Soir"]
    detail = lab_client.get(f"/lab/sign-ups/{signup.id}").get_data(as_text=True)
    assert "Atelier ?" in detail and "Matin" in detail
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "call.question_updated")).scalar_one()
    assert entry.details["changes"]["label"] == ["Atelier ?", "Quel créneau ?"]
    bad = lab_client.post(f"/lab/calls/{call.id}/questions/{question.id}/edit",
                          data={"kind": "single_choice", "label": "", "choices": "Un"})
    assert bad.status_code == 200 and 'id="label-error"' in bad.get_data(as_text=True)


class TestRehearsal:
    """The lab sees a draft as agents will, and publishing, archiving or removing a question asks first."""

    @pytest.fixture
    def draft(self, make_call):
        return make_call(title="Répétition", status="draft", questions=[
            ("short_text", "Pourquoi vous ?", True, []), ("single_choice", "Quel jour ?", False, ["Lundi", "Mardi"])])

    def test_the_preview_shows_the_call_page_and_the_sign_up_form(self, lab_client, draft):
        page = lab_client.get(f"/lab/calls/{draft.id}").get_data(as_text=True)
        assert "Aperçu\u00a0: voici ce que verront les agents." in page
        first, second = draft.active_questions
        assert f'name="q{first.id}"' in page and f'<label for="q{first.id}">Pourquoi vous ?' in page
        assert re.search(rf'<input[^>]*name="q{second.id}"[^>]*type="radio"[^>]*value="Lundi"', page)
        assert 'name="motivation"' in page and 'name="hours_asked"' in page
        assert re.search(r'<button type="submit" class="button primary" disabled>Envoyer ma candidature', page)
        assert "Un atelier pour repenser l'accueil." in page or "Un atelier pour repenser l&#39;accueil." in page

    def test_publishing_asks_for_confirmation_and_only_the_post_publishes(self, lab_client, draft):
        page = lab_client.get(f"/lab/calls/{draft.id}").get_data(as_text=True)
        assert f'<a class="button primary" href="/lab/calls/{draft.id}/publish">Publier</a>' in page
        confirm = lab_client.get(f"/lab/calls/{draft.id}/publish")
        assert confirm.status_code == 200
        html = confirm.get_data(as_text=True)
        assert f'<form method="post" action="/lab/calls/{draft.id}/publish"' in html and "Oui, publier" in html
        assert session.get(Call, draft.id).status == "draft"
        assert lab_client.post(f"/lab/calls/{draft.id}/publish").status_code == 302
        session.expire_all()
        assert session.get(Call, draft.id).status == "published"

    def test_archiving_and_removing_a_question_ask_first(self, lab_client, draft):
        question = draft.active_questions[0]
        question_id = question.id
        assert "Oui, archiver" in lab_client.get(f"/lab/calls/{draft.id}/archive").get_data(as_text=True)
        remove = lab_client.get(f"/lab/calls/{draft.id}/questions/{question.id}/remove").get_data(as_text=True)
        assert "Pourquoi vous ?" in remove and "Oui, la retirer" in remove
        assert session.get(Call, draft.id).status == "draft" and session.get(Question, question.id).removed is False
        lab_client.post(f"/lab/calls/{draft.id}/questions/{question.id}/remove")
        lab_client.post(f"/lab/calls/{draft.id}/archive")
        session.expire_all()
        gone = session.get(Question, question_id)
        assert (gone is None or gone.removed) and len(draft.active_questions) == 1
        assert session.get(Call, draft.id).status == "archived"

    def test_only_the_lab_reaches_the_confirmations(self, client, people, draft):
        agent_client = sign_in(client, people["agent"])
        assert agent_client.get(f"/lab/calls/{draft.id}/publish").status_code == 403



FOREIGN_IMAGES = ("https://evil.example/pixel.png", "//evil.example/protocol.png", "http://evil.example/plain.png",
                  "data:image/png;base64,iVBORw0KGgo=", "HTTPS://EVIL.EXAMPLE/upper.png", "ftp://evil.example/f.png")
IMAGES_BODY = "\n\n".join([f"![Image {number}]({src})" for number, src in enumerate(FOREIGN_IMAGES)]
                          + ["![Logo local](/static/allies/logo.svg) et ![Plan](plans/salle.png)",
                             "[![Bannière *en gras*](https://evil.example/banner.png)](https://intra.example/)"])


@pytest.mark.parametrize("src, local", [
    ("/static/allies/logo.svg", True), ("plans/salle.png", True), ("/allies/static/plan.png", True),
    ("//evil.example/a.png", False), ("https://evil.example/a.png", False), ("data:image/png;base64,AAAA", False),
    ("/\\evil.example/a.png", False), ("/\t/evil.example/a.png", False), ("javascript:alert(1)", False),
    ("", False), (None, False),
])
def test_only_images_of_this_app_are_local(src, local):
    from app.markup import is_local_image

    assert is_local_image(src) is local


def test_images_from_other_hosts_are_left_out_of_every_page_that_shows_the_call(app, people, make_call):
    from app.signups.operations import sign_up

    published = make_call(title="Appel illustré", body=IMAGES_BODY)
    draft = make_call(title="Brouillon illustré", body=IMAGES_BODY, status="draft")
    signup, *_ = sign_up(published.id, people["agent"], "Motivation", Decimal(10))
    session.commit()
    pages = {"call": sign_in(app.test_client(), people["agent"]).get(f"/calls/{published.id}"),
             "preview": sign_in(app.test_client(), people["lab"]).get(f"/lab/calls/{draft.id}"),
             "decision": sign_in(app.test_client(), people["manager"]).get(f"/approvals/{signup.id}"),
             "feed": sign_in(app.test_client(), people["agent"]).get("/calls.atom"),
             "widget": sign_in(app.test_client(), people["agent"]).get("/widget/calls")}
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.get_data(as_text=True)
        assert "evil.example" not in text.lower() and "data:image" not in text, name
    for name in ("call", "preview", "decision"):
        text = pages[name].get_data(as_text=True)
        assert '<img src="/static/allies/logo.svg" alt="Logo local">' in text, name
        assert '<img src="plans/salle.png" alt="Plan">' in text, name
        assert "<p>Image 0</p>" in text and "Bannière en gras</a>" in text, name  # the words stay, as text
