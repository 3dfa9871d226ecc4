"""Calls: the lab writes, publishes, edits, closes, archives and builds questions; agents find open calls."""

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
from tests.pages import definitions, error_summary, field_value, flashes, one, parse_page, read_page, text_of, texts


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


NO_CALL = "Aucun appel ouvert ne correspond à la recherche."


def listed_calls(client, url="/calls"):
    """The titles of the calls an agent's list shows; the count above the list agrees."""
    page = read_page(client, url)
    titles = texts(page, "ul.cards > li.card > h2")
    count = text_of(one(page, "main p.result-count"))
    assert count.startswith(f"{len(titles)} ") if titles else count == NO_CALL
    return titles


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
    page = read_page(lab_client, f"/lab/calls/{call.id}")
    assert "Défi" in texts(page, "main h3"), "the description's headings sit under the page's"
    assert "Brouillon" in text_of(page.main)
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
    page = parse_page(lab_client.post("/lab/calls/new", data=call_form(**overrides)))
    assert error_summary(page) and one(page, f"#{field_error}-error")
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
    assert listed_calls(inside_client) == ["Design des services"]
    assert inside_client.get(f"/calls/{call.id}").status_code == 200
    outside_client = sign_in(app.test_client(), outside)
    assert listed_calls(outside_client) == []
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
    page = parse_page(lab_client.post(f"/lab/calls/{call.id}/edit", data=call_form(capacity="2", title=call.title)))
    assert "Places déjà occupées\u00a0: 3." in text_of(one(page, "#capacity-error"))
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
    assert listed_calls(sign_in(client, people["agent"])) == []
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
    assert [category for category, text in flashes(parse_page(response))
            if "clôture des candidatures est dépassée" in text] == ["error"]
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
        page = parse_page(lab_client.post(f"/lab/calls/{call.id}/questions", data=data), status=422)
        assert len(error_summary(page)) == 1 and one(page, f"#{error}-error")
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
        page = text_of(read_page(lab_client, f"/lab/calls/{call.id}/sign-ups").main)
        assert "Votre service préféré ?" in page and "La cantine" in page
        detail = read_page(lab_client, f"/lab/sign-ups/{signup.id}")
        assert definitions(detail, ".profile")["Votre service préféré ?"] == "La cantine"


class TestAgentList:
    def test_open_calls_with_places_left_search_and_filter(self, client, people, make_call):
        make_call(title="Atelier accueil", capacity=4)
        make_call(title="Tests du formulaire", kind="total_hours", value=Decimal(2))
        make_call(title="Brouillon secret", status="draft")
        assert sorted(listed_calls(sign_in(client, people["agent"]))) == ["Atelier accueil", "Tests du formulaire"]
        assert "4 sur 4" in text_of(read_page(client, "/calls").main)
        assert listed_calls(client, "/calls?q=FORMULAIRE") == ["Tests du formulaire"]
        assert listed_calls(client, "/calls?kind=total_hours") == ["Tests du formulaire"]
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
        assert "Archivé" not in text_of(read_page(agent_client, "/calls").main)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "{{7*7}}", "<img src=x onerror=alert(1)>"])
def test_payloads_in_call_fields_and_questions_render_as_text(app, client, people, make_call, payload):
    call = make_call(title=f"T {payload}", summary=f"S {payload}", contact=payload, body=f"B {payload}",
                     questions=[("single_choice", f"Q {payload}", True, [f"C {payload}", "Autre"])])
    agent_client = sign_in(client, people["agent"])
    for url in ("/calls", f"/calls/{call.id}", f"/calls/{call.id}/sign-up"):
        main = read_page(agent_client, url).main
        assert not main.select("script, img[src=x]"), url
        assert f"T {payload}" in text_of(main), "shown as typed, as text"


def test_editing_an_answered_question_keeps_the_answers_label(app, lab_client, make_call, make_user):
    from app.signups.operations import sign_up

    call = make_call(questions=[("single_choice", "Atelier ?", True, ["Matin", "Après-midi"])])
    question = call.active_questions[0]
    signup, *_ = sign_up(call.id, make_user(), "Motivé", Decimal(10), answers=[(question, "Matin")])
    session.commit()
    page = read_page(lab_client, f"/lab/calls/{call.id}/questions/{question.id}/edit")
    assert field_value(page, "choices") == "Matin\nAprès-midi"
    response = lab_client.post(f"/lab/calls/{call.id}/questions/{question.id}/edit", data={
        "kind": "single_choice", "label": "Quel créneau ?", "choices": "Matin\nAprès-midi\nSoir", "required": "y"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Question, question.id).choices == ["Matin", "Après-midi", "Soir"]
    assert definitions(read_page(lab_client, f"/lab/sign-ups/{signup.id}"), ".profile")["Atelier ?"] == "Matin"
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "call.question_updated")).scalar_one()
    assert entry.details["changes"]["label"] == ["Atelier ?", "Quel créneau ?"]
    bad = lab_client.post(f"/lab/calls/{call.id}/questions/{question.id}/edit",
                          data={"kind": "single_choice", "label": "", "choices": "Un"})
    assert one(parse_page(bad), "#label-error")


class TestRehearsal:
    """The lab sees a draft as agents will, and publishing, archiving or removing a question asks first."""

    @pytest.fixture
    def draft(self, make_call):
        return make_call(title="Répétition", status="draft", questions=[
            ("short_text", "Pourquoi vous ?", True, []), ("single_choice", "Quel jour ?", False, ["Lundi", "Mardi"])])

    def test_the_preview_shows_the_call_page_and_the_sign_up_form(self, lab_client, draft):
        page = read_page(lab_client, f"/lab/calls/{draft.id}")
        assert "Aperçu\u00a0: voici ce que verront les agents." in text_of(page.main)
        first, second = draft.active_questions
        assert one(page, f"[name=q{first.id}]")
        assert text_of(one(page, f"label[for=q{first.id}]")).startswith("Pourquoi vous ?")
        assert one(page, f"input[name=q{second.id}][type=radio][value=Lundi]")
        assert one(page, "[name=motivation]") and one(page, "[name=hours_asked]")
        assert text_of(one(page, "button.button.primary[type=submit][disabled]")) == "Envoyer ma candidature"
        assert "Un atelier pour repenser l'accueil." in text_of(page.main)

    def test_publishing_asks_for_confirmation_and_only_the_post_publishes(self, lab_client, draft):
        page = read_page(lab_client, f"/lab/calls/{draft.id}")
        assert text_of(one(page, f"a.button.primary[href='/lab/calls/{draft.id}/publish']")) == "Publier"
        confirm = one(read_page(lab_client, f"/lab/calls/{draft.id}/publish"), "main form[method=post]")
        assert confirm["action"] == f"/lab/calls/{draft.id}/publish" and texts(confirm, "button") == ["Oui, publier"]
        assert session.get(Call, draft.id).status == "draft"
        assert lab_client.post(f"/lab/calls/{draft.id}/publish").status_code == 302
        session.expire_all()
        assert session.get(Call, draft.id).status == "published"

    def test_archiving_and_removing_a_question_ask_first(self, lab_client, draft):
        question = draft.active_questions[0]
        question_id = question.id
        assert texts(read_page(lab_client, f"/lab/calls/{draft.id}/archive"), "main form button") == ["Oui, archiver"]
        remove = read_page(lab_client, f"/lab/calls/{draft.id}/questions/{question.id}/remove")
        assert "Pourquoi vous ?" in text_of(remove.main) and texts(remove, "main form button") == ["Oui, la retirer"]
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
        prose = one(parse_page(pages[name]), "main .prose")
        assert [(image["src"], image["alt"]) for image in prose.select("img")] == [
            ("/static/allies/logo.svg", "Logo local"), ("plans/salle.png", "Plan")], name
        assert "Image 0" in texts(prose, "p") and "Bannière en gras" in texts(prose, "a"), name  # the words stay
