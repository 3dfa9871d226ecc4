"""Form input the French way: decimals typed and shown with a comma, errors summed up at the top, limits announced."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.budgets.models import TimeEntry
from app.budgets.operations import log_time
from app.database import session
from app.fields import LocalDecimalField, parse_local_decimal
from app.signups.models import SignUp
from app.signups.operations import sign_up
from tests.conftest import sign_in
from tests.pages import error_summary, field_value, one, parse_page, read_page, text_of
from tests.test_budgets import allocation  # noqa: F401  (the agent's running allocation, a fixture)

TODAY = date.today()


@pytest.mark.parametrize("typed, number", [
    ("158,5", Decimal("158.5")), ("158.5", Decimal("158.5")), ("1 607,25", Decimal("1607.25")),
    ("1\u00a0607,25", Decimal("1607.25")), ("1\u202f607,25", Decimal("1607.25")), (" 12 ", Decimal(12)),
    ("0,25", Decimal("0.25")), ("1.607,25", Decimal("1607.25")), ("1,607.25", Decimal("1607.25")),
])
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_decimals_are_read_the_french_and_the_english_way(locale, typed, number):
    assert parse_local_decimal(typed, locale) == number


@pytest.mark.parametrize("typed", ["deux", "1,2,3", "NaN", "Infinity", "1..5", "-", "12,5 h"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):
        parse_local_decimal(typed, "fr")


def test_english_readers_keep_their_group_mark():
    assert parse_local_decimal("1,607", "en") == Decimal(1607)
    assert parse_local_decimal("12,5", "en") == Decimal("12.5")


class NumberForm:
    """A bare form with one decimal field, built inside a request."""

    @staticmethod
    def build(app, **kwargs):
        from flask_wtf import FlaskForm

        class Form(FlaskForm):
            hours = LocalDecimalField("Hours")

        return Form(meta={"csrf": False}, **kwargs)


@pytest.mark.parametrize("locale, shown", [("fr", 'value="158,5"'), ("en", 'value="158.5"')])
def test_a_decimal_is_shown_in_a_text_field_the_browser_keeps(app, locale, shown):
    with app.test_request_context(), force_locale(locale):
        html = str(NumberForm.build(app, data={"hours": Decimal("158.5")}).hours())
    assert shown in html and 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'type="number"' not in html


@pytest.mark.parametrize("typed", ["158,5", "158.5"])
def test_a_decimal_typed_either_way_is_read(app, typed):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(), force_locale("en"):
        form = NumberForm.build(app, formdata=MultiDict({"hours": typed}))
        assert form.validate() and form.hours.data == Decimal("158.5")


def test_editing_a_time_entry_shows_its_hours_with_a_comma(app, people, allocation):
    entry, _ = log_time(allocation, people["agent"], TODAY, Decimal("1.5"), "Atelier")
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    field = one(read_page(client, f"/my/budget/entries/{entry.id}/edit"), "input#hours")
    assert field["value"] == "1,5" and field["type"] == "text" and field["inputmode"] == "decimal"


@pytest.mark.parametrize("template", ["signups/new.html", "budgets/allocation.html", "calls/edit.html"])
def test_no_template_asks_for_a_number_with_type_number(app, template):
    source = app.jinja_env.loader.get_source(app.jinja_env, f"allies/{template}")[0]
    assert 'type="number"' not in source


def summary(response, status=200):
    """A form page in error, its error summary's links as (field id, text), and the summary."""
    page = parse_page(response, status=status)
    return page, error_summary(page), one(page, ".error-summary")


def test_a_sign_up_sent_empty_sums_up_its_errors_at_the_top_with_a_link_to_each_field(app, people, make_call):
    call = make_call(questions=[("yes_no", "Pouvez-vous venir le 12 ?", True, []),
                                ("short_text", "Votre service", True, [])])
    client = sign_in(app.test_client(), people["agent"])
    page, links, block = summary(client.post(f"/calls/{call.id}/sign-up", data={}))
    assert text_of(block.h2) == "Il y a 4 erreurs" and block.has_attr("autofocus") and block["tabindex"] == "-1"
    assert one(page, "#motivation") in block.find_all_next(id="motivation"), "the summary comes before the fields"
    assert len(links) == 4 and all(one(page, f"#{target}") for target, _ in links)
    assert [target for target, _ in links][0] == "motivation"
    assert all("Ce champ est requis" not in text for _, text in links), links
    assert session.execute(select(SignUp)).first() is None


def test_one_error_is_told_in_the_singular(app, people, allocation):
    client = sign_in(app.test_client(), people["agent"])
    _, links, block = summary(client.post(f"/my/budget/allocations/{allocation.id}",
                                          data={"day": TODAY.isoformat(), "hours": ""}), status=422)
    assert text_of(block.h2) == "Il y a 1 erreur"
    assert links == [("hours", "Heures\u00a0: Indiquez les heures, par exemple 1,5.")]


def test_the_new_call_form_is_grouped_and_folds_its_units(app, people, make_unit):
    for number in range(30):
        make_unit(f"DGS/Direction {number}")
    client = sign_in(app.test_client(), people["lab"])
    page = read_page(client, "/lab/calls/new")
    assert len(page.select("main form legend")) >= 4 and "Temps demandé" in text_of(page.main)
    assert not one(page, "details.unit-choice").has_attr("open")
    page, links, _ = summary(client.post("/lab/calls/new", data={"title": "Atelier", "audience_all": "units"}))
    assert one(page, "details.unit-choice").has_attr("open")
    assert "audience_units-0" in [target for target, _ in links]


def test_a_motivation_too_long_is_refused_with_its_limit_never_cut(app, people, make_call):
    call = make_call()
    client = sign_in(app.test_client(), people["agent"])
    form = read_page(client, f"/calls/{call.id}/sign-up")
    motivation = one(form, "#motivation")
    hints = " ".join(text_of(form.find(id=name)) for name in motivation["aria-describedby"].split())
    assert "5\u202f000\u00a0caractères au plus" in hints or "5\u202f000 caractères au plus" in hints
    assert not motivation.has_attr("maxlength")
    page, links, _ = summary(client.post(f"/calls/{call.id}/sign-up", data={"motivation": "m" * 20000,
                                                                             "hours_asked": "10"}))
    error = text_of(one(page, "#motivation-error"))
    assert "Raccourcissez le texte" in error and "20\u202f000" in error
    assert [target for target, _ in links] == ["motivation"]
    assert field_value(page, "motivation") == "m" * 20000  # the text comes back whole, to be shortened by its author
    assert session.execute(select(SignUp)).first() is None


def test_line_breaks_sent_by_a_browser_are_kept_as_typed(app, people, make_call):
    call = make_call(questions=[("long_text", "Une expérience", False, ())])
    question = call.active_questions[0]
    client = sign_in(app.test_client(), people["agent"])
    client.post(f"/calls/{call.id}/sign-up", data={"motivation": "Ligne 1\r\nLigne 2", "hours_asked": "10",
                                                   f"q{question.id}": "Un usager,\r\nguidé."})
    signup = session.execute(select(SignUp)).scalar_one()
    assert signup.motivation == "Ligne 1\nLigne 2"  # HTML sends CR LF; one line break is one character
    assert [answer.value for answer in signup.answers] == ["Un usager,\nguidé."]


def test_a_day_typed_the_french_way_is_read_and_a_wrong_one_says_what_to_type(app, people, allocation):
    client = sign_in(app.test_client(), people["agent"])
    page = parse_page(client.post(f"/my/budget/allocations/{allocation.id}",
                                  data={"day": "mardi", "hours": "1", "note": ""}), status=422)
    assert "Saisissez une date, par exemple 15/03/2027." in text_of(one(page, "#day-error"))
    assert session.execute(select(TimeEntry)).first() is None
    response = client.post(f"/my/budget/allocations/{allocation.id}",
                           data={"day": TODAY.strftime("%d/%m/%Y"), "hours": "1", "note": ""})
    assert response.status_code == 302
    assert session.execute(select(TimeEntry.day)).scalar_one() == TODAY


def test_time_in_a_past_month_is_refused_at_entry_with_the_reason(app, people, allocation):
    from app.clock import local_today

    today = local_today()
    last_month = today.replace(day=1) - timedelta(days=1)
    client = sign_in(app.test_client(), people["agent"])
    assert "les mois passés sont clos" in text_of(read_page(client, f"/my/budget/allocations/{allocation.id}").main)
    page, links, _ = summary(client.post(f"/my/budget/allocations/{allocation.id}", data={
        "day": last_month.isoformat(), "hours": "1,5", "note": "Atelier"}), status=422)
    assert "Les mois passés sont clos\u00a0: choisissez un jour" in text_of(one(page, "#day-error"))
    assert [target for target, _ in links] == ["day"]
    assert session.execute(select(TimeEntry)).first() is None


def test_today_is_the_day_in_the_configured_time_zone(app_factory):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.clock import local_today

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # 25 hours apart: never the same day
        with app_factory(ALLIES_TIMEZONE=zone).app_context():
            assert local_today() == datetime.now(ZoneInfo(zone)).date()


@pytest.mark.parametrize("typed, places", [("1 000", 1000), ("1\u202f000", 1000), ("12", 12), ("2,5", None),
                                           ("deux", None)])
def test_the_places_of_a_call_are_a_whole_number_typed_the_french_way(app, typed, places):
    from werkzeug.datastructures import MultiDict

    from app.calls.forms import CallForm

    with app.test_request_context(), force_locale("fr"):
        form = CallForm(formdata=MultiDict({"capacity": typed}), meta={"csrf": False})
        form.validate()
        assert form.capacity.data == places and bool(form.capacity.errors) == (places is None)
        html = str(form.capacity())
    assert 'type="text"' in html and 'inputmode="numeric"' in html


def test_signing_in_with_nothing_typed_says_what_to_enter(client):
    _, links, block = summary(client.post("/login", data={}))
    assert text_of(block.h2) == "Il y a 2 erreurs"
    assert links == [("login", "Identifiant\u00a0: Saisissez votre identifiant."),
                     ("password", "Mot de passe\u00a0: Saisissez votre mot de passe.")]


def test_a_decision_sent_without_choosing_links_to_the_first_choice(app, people, make_call):
    call = make_call()
    signup, *_ = sign_up(call.id, people["agent"], "Motivation", Decimal(10))
    session.commit()
    client = sign_in(app.test_client(), people["manager"])
    page, links, _ = summary(client.post(f"/approvals/{signup.id}", data={}))
    assert links == [("outcome-0", "Votre décision\u00a0: Choisissez votre décision.")]
    assert one(page, "input#outcome-0[type=radio]")


def test_a_number_answer_out_of_bounds_says_the_bounds_the_french_way(app, people, make_call):
    from app.calls.operations import add_question

    call = make_call()
    question = add_question(call, people["lab"], kind="number", label="Combien ?", required=True,
                            min_value=Decimal("0.5"), max_value=Decimal(1500))
    session.commit()
    client = sign_in(app.test_client(), people["agent"])
    page = parse_page(client.post(f"/calls/{call.id}/sign-up", data={f"q{question.id}": "1 607,5", "motivation": "Oui",
                                                                      "hours_asked": "10"}))
    assert "Indiquez un nombre de 0,5 à 1\u202f500." in text_of(one(page, f"#q{question.id}-error"))
    assert session.execute(select(SignUp)).first() is None
