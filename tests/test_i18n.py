"""Every UI string is in both catalogs, translated, and the catalogs follow the code."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.pages import one, parse_page, read_page, text_of

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "app" / "translations"


def load(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    return {message.id for message in load(pot) if message.id}


@pytest.mark.once  # the catalogs, whatever the database
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalog_has_every_message_translated(extracted, locale):
    catalog = load(CATALOGS / locale / "LC_MESSAGES" / "messages.po")
    ids = {message.id for message in catalog if message.id}
    assert extracted - ids == set(), f"run `make translations` and translate these in {locale}"
    untranslated = [message.id for message in catalog if message.id and (
        not message.string or (isinstance(message.string, tuple) and not all(message.string)))]
    assert untranslated == [], f"untranslated in {locale}"
    assert [message.id for message in catalog if message.id and message.fuzzy] == [], f"fuzzy in {locale}"


@pytest.mark.once  # the catalogs, whatever the database
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_placeholders_match(locale):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\d*\w")
    for message in load(CATALOGS / locale / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(pattern.findall(ids[-1])))
        for string in strings:
            assert sorted(set(pattern.findall(string))) == expected, message.id


@pytest.mark.once  # the catalogs, whatever the database
def test_french_typography_keeps_its_spaces_unbroken():
    """French puts a no-break space before : ; ! ? and inside « », so a line never starts with the sign."""
    import re

    broken = re.compile(r"(?: [:;!?»])|(?:« )|(?:\w[;!?»])|(?:«\w)")
    for message in load(CATALOGS / "fr" / "LC_MESSAGES" / "messages.po"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if message.id and string:
                without_urls = re.sub(r"https?://\S+|%\(\w+\)\w|&\w+;", "", string)
                assert not broken.search(without_urls), (message.id, string)


def test_french_is_the_default_and_english_is_complete(client):
    read_page(client, "/login", h1="Se connecter")
    client.post("/language", data={"locale": "en"})
    page = read_page(client, "/login", h1="Sign in")
    assert "Se connecter" not in page.get_text()


def french_strings():
    """(msgid, French string) of every message, plural forms one by one."""
    for message in load(CATALOGS / "fr" / "LC_MESSAGES" / "messages.po"):
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            for string in message.string if isinstance(message.string, tuple) else (message.string,):
                yield msgid, string


# Placeholders that hold a number or a date: French never elides before them.
NUMERIC = {"hours", "days", "year", "limit", "before", "after", "expected", "found", "number", "num", "count",
           "share", "rank", "date", "start", "end", "left", "used", "allocated", "available", "quotity", "min", "max",
           "length", "working"}


def test_french_elides_de_before_a_name_or_a_title():
    """« de %(name)s » must read « d'Ana » for Ana: the code passes such messages through `elided`."""
    import re

    sources = [path.read_text(encoding="utf-8") for folder in ("app", "templates")
               for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".html", ".txt")
               and "translations" not in path.parts]
    for msgid, string in french_strings():
        for placeholder in re.findall(r"\b(?:[Dd]e|[Qq]ue) %\((\w+)\)s", string):
            if placeholder in NUMERIC:
                continue
            quoted = '"' + msgid.replace('"', '\\"') + '"'
            uses = [source[max(at - 80, 0):at + len(quoted) + 400] for source in sources
                    for at in [match.start() for match in re.finditer(re.escape(quoted), source)]]
            assert uses, msgid
            for use in uses:
                assert "elided" in use, f"« de %({placeholder})s » is not elided where {msgid!r} is used"


def test_french_percent_and_ellipsis():
    """A no-break space before %, never an ordinary one nor none; and « … », never three dots."""
    import re

    for msgid, string in french_strings():
        text = re.sub(r"%\(\w+\)[-#0-9.]*[a-z]", "", string)
        assert not re.search(r"[^\S\u00a0\u202f]%|\w%%?(?!\w)", text.replace("(%)", "")), (msgid, string)
        assert "..." not in string, (msgid, string)


def test_a_name_starting_with_a_vowel_takes_d_apostrophe(app, people, make_call, make_user):
    from decimal import Decimal

    from app.database import session
    from app.signups.operations import sign_up
    from tests.conftest import sign_in

    call = make_call()
    ana, *_ = sign_up(call.id, make_user(given_name="Ana", family_name="Ibáñez"), "Motivée", Decimal(7))
    camille, *_ = sign_up(call.id, make_user(given_name="Camille", family_name="Roussel"), "Motivé", Decimal(7))
    session.commit()
    lab = sign_in(app.test_client(), people["lab"])
    read_page(lab, f"/lab/sign-ups/{ana.id}", h1="Candidature d'Ana Ibáñez")
    read_page(lab, f"/lab/sign-ups/{camille.id}", h1="Candidature de Camille Roussel")


def test_the_first_of_the_month_is_written_1er_in_french(app, people, make_call):
    from datetime import date, datetime, timezone

    from app.main.i18n import format_day

    call = make_call(title="Atelier du premier", start_date=date(2027, 3, 1))
    assert "du 1er mars 2027 au" in text_of(read_page(sign_in_as(app, people["agent"]), f"/calls/{call.id}").main)
    with app.test_request_context():
        assert format_day(date(2027, 3, 11)) == "11 mars 2027" and format_day(date(2027, 3, 21)) == "21 mars 2027"
        assert format_day(date(2027, 1, 1), "full") == "vendredi 1er janvier 2027"
        # 23:30 UTC on 31 December is already the first of January in Paris.
        assert format_day(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "1er janvier 2027"


def sign_in_as(app, person):
    from tests.conftest import sign_in

    return sign_in(app.test_client(), person)


@pytest.mark.parametrize("kind, value, french", [
    ("percent", "10", "10\u00a0% du temps de travail"),
    ("percent", "2.5", "2,5\u00a0% du temps de travail"),
    ("hours_per_month", "1.5", "1,5 heure par mois"),
    ("hours_per_month", "12", "12 heures par mois"),
    ("days_per_month", "0.5", "0,5 jour par mois"),
    ("total_hours", "1607", "1\u202f607 heures au total"),
])
def test_the_time_a_call_asks_in_french_words(app, people, make_call, kind, value, french):
    from decimal import Decimal

    call = make_call(kind=kind, value=Decimal(value))
    page = read_page(sign_in_as(app, people["agent"]), f"/calls/{call.id}")
    assert french in [text_of(description) for description in page.select("main dd")]


def test_plural_forms_follow_the_language(app):
    from app.main.i18n import format_share, plural_count

    with app.test_request_context():
        assert [plural_count(n) for n in (0, 0.3, 1, 1.7, 2, 2.5)] == [1, 1, 1, 1, 2, 2]
        assert format_share(0.017, 1) == "1,7\u00a0%" and format_share(0.25) == "25\u00a0%"


def test_people_are_named_one_way(app, people):
    """Given name then family name (User.full_name), on every page and mail: no template builds a name itself."""
    for path in (ROOT / "templates").rglob("*.*"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not ("given_name" in line and "family_name" in line), f"{path.name}:{number} builds a name"
    page = read_page(sign_in_as(app, people["admin"]), "/admin/users")
    assert "Alex Martin" in [text_of(link) for link in page.select("#users-caption ~ tbody a")]


def test_hours_and_days_take_the_plural_the_language_wants(app, people, make_call):
    from decimal import Decimal

    from sqlalchemy import select

    from app.database import session
    from app.mail.models import OutboxMessage
    from app.signups.operations import sign_up

    call = make_call(kind="total_hours", value=Decimal("1.5"))
    sign_up(call.id, people["agent"], "Motivé", Decimal("1.5"))
    session.commit()
    bodies = " ".join(session.execute(select(OutboxMessage.body_text)).scalars())
    assert "temps demandé\u00a0: 1,5 heure\n" in bodies and "1,5 heures" not in bodies
    form = read_page(sign_in_as(app, people["lab"]), f"/calls/{call.id}/sign-up")
    assert "1,5 heure, soit 0,2 jour travaillé ou" in text_of(form.main)


def test_numbers_of_a_thousand_and_more_are_grouped(app, people):
    from tests.test_calls import call_form

    lab = sign_in_as(app, people["lab"])
    response = lab.post("/lab/calls/new", data=call_form(commitment_kind="total_hours", commitment_value="2000"))
    page = parse_page(response)
    assert "au plus égale à 1\u202f607 heures au total" in text_of(one(page, "#commitment_value-error"))


def test_no_percent_sign_after_an_ordinary_space(app, people):
    from tests.test_calls import call_form

    lab = sign_in_as(app, people["lab"])
    page = parse_page(lab.post("/lab/calls/new", data=call_form(commitment_kind="percent", commitment_value="150")))
    assert "au plus égale à 100 pour cent du temps de travail" in text_of(one(page, "#commitment_value-error"))


def test_elision_before_vowels_and_h_only(app):
    from app.main.i18n import elided

    assert elided("la demande de Ana Ibáñez", "Ana Ibáñez") == "la demande d'Ana Ibáñez"
    assert elided("la demande de Hélène Roy", "Hélène Roy") == "la demande d'Hélène Roy"
    assert elided("plus que Émile", "Émile") == "plus qu'Émile"
    assert elided("la demande de Camille Roussel", "Camille Roussel") == "la demande de Camille Roussel"
    assert elided("made by Ana", "Ana") == "made by Ana"


def test_every_status_has_its_own_french_title(app):
    """Each stored code (statuses, kinds and outcomes of decisions) reads in French, not in the English of its
    msgid; a new enum of codes joins this list."""
    from flask_babel import force_locale

    from app.approvals.models import DecisionKind, DecisionOutcome
    from app.budgets.models import ExtensionStatus
    from app.calls.models import CallStatus
    from app.enums import TitledEnum
    from app.recognition.models import BadgeKind
    from app.signups.models import SignUpStatus

    enums = [CallStatus, SignUpStatus, ExtensionStatus, DecisionKind, DecisionOutcome, BadgeKind]
    assert set(TitledEnum.__subclasses__()) == set(enums)
    with app.test_request_context():
        with force_locale("en"):
            english = {f"{enum.__name__}.{member.name}": str(member.title) for enum in enums for member in enum}
        with force_locale("fr"):
            french = {f"{enum.__name__}.{member.name}": str(member.title) for enum in enums for member in enum}
    assert len(french) == sum(len(enum) for enum in enums)
    assert [name for name, title in french.items() if title == english[name]] == []


@pytest.mark.once  # the templates, whatever the database
def test_a_share_written_in_a_template_follows_each_requests_language(app):
    """Jinja runs a filter on a constant (`0.8|percentformat`) when it compiles the template, unless the filter
    takes the render's context: the first request's language would then stay in the page for everyone after."""
    from flask import session

    from app.main.i18n import LOCALE_SESSION_KEY

    source = "{{ 0.8|percentformat }} · {{ 1|share }} · {{ 1607.25|decimalformat }}"
    with app.app_context(), app.test_request_context():  # each request its own `g`, where its language is kept
        session[LOCALE_SESSION_KEY] = "en"  # chosen with the switch
        template = app.jinja_env.from_string(source)
        assert template.render() == "80% · 100% · 1,607.25"
    with app.app_context(), app.test_request_context():
        assert template.render() == "80\u00a0% · 100\u00a0% · 1\u202f607,25"


@pytest.mark.once  # the templates, whatever the database
def test_messages_in_a_page_use_its_languages_catalog_and_escape_what_they_are_given(app):
    """A page's `_()` and `ngettext()` read the catalog of the page's language (looked up once per page), fill
    `%(name)s` and escape it; a mail written in another language in the same request reads that language's."""
    from flask import render_template_string, session
    from flask_babel import force_locale

    from app.main.i18n import LOCALE_SESSION_KEY

    source = ("{{ _('Sign out') }} · {{ ngettext('%(value)s hour', '%(value)s hours', 2, value='<b>2</b>') }} · "
              "{{ ngettext('%(value)s hour', '%(value)s hours', 1, value=1) }}")
    with app.app_context(), app.test_request_context():
        assert render_template_string(source) == "Se déconnecter · &lt;b&gt;2&lt;/b&gt; heures · 1 heure"
        with force_locale("en"):
            assert render_template_string(source) == "Sign out · &lt;b&gt;2&lt;/b&gt; hours · 1 hour"
    with app.app_context(), app.test_request_context():
        session[LOCALE_SESSION_KEY] = "en"  # chosen with the switch
        assert render_template_string(source).startswith("Sign out · ")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_pages_own_date_and_number_filters_write_what_flask_babels_write(app, locale):
    """`human_date`, `date_and_time`, `decimalformat` and `commitment`, bound once to a render's language and time
    zone, write the same text as Flask-Babel's own: summer and winter time, the first of a month, a moment without
    its zone, a date across midnight in Paris, decimals, each kind of time a call asks."""
    from datetime import date, datetime, timezone
    from decimal import Decimal
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import force_locale

    from app.main.templating import commitment

    source = "{{ value|human_date }}|{{ value|human_date('short') }}|{{ value|date_and_time }}"
    moments = [datetime(2027, 7, 1, 6, 5, tzinfo=timezone.utc), datetime(2027, 1, 31, 23, 30, tzinfo=timezone.utc),
               datetime(2026, 12, 24, 12, 0)]
    numbers = [Decimal("7.00"), Decimal("1234.5"), Decimal("0.25"), 3]
    with app.app_context(), app.test_request_context(), force_locale(locale):
        ours = [render_template_string(source, value=moment) for moment in moments]
        ours += [render_template_string("{{ value|human_date }}", value=date(2027, 5, 1))]
        ours += [render_template_string("{{ value|decimalformat }}", value=number) for number in numbers]
        assert render_template_string("{{ allies_formats|sort|join(' ') }}") == \
            "commitment date_and_time decimalformat human_date"
        calls = [SimpleNamespace(commitment_kind=kind, commitment_value=Decimal(value)) for kind, value in (
            ("percent", "2.5"), ("hours_per_month", "1.5"), ("hours_per_month", "12"), ("days_per_month", "0.5"),
            ("total_hours", "1607"))]
        bound_commitments = render_template_string("{% for call in calls %}{{ commitment(call) }}|{% endfor %}",
                                                   calls=calls)
        assert bound_commitments == "".join(f"{commitment(call)}|" for call in calls)
        # Given no bound filters, the same templates use Flask-Babel's own.
        theirs = [render_template_string(source, value=moment, allies_formats={}) for moment in moments]
        theirs += [render_template_string("{{ value|human_date }}", value=date(2027, 5, 1), allies_formats={})]
        theirs += [render_template_string("{{ value|decimalformat }}", value=number, allies_formats={})
                   for number in numbers]
    assert ours == theirs
    if locale == "fr":
        assert ours[0] == "1er juillet 2027|01/07/2027|1er juillet 2027 à 08:05"
        assert ours[1].endswith("1er février 2027 à 00:30") and ours[4:] == ["7", "1\u202f234,5", "0,25", "3"]
