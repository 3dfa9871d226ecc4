"""The realistic floor: Alliés' open-calls page and manager's inbox, byte for byte but for the CSRF token, from a
small Flask app on the same stack and as little else as the pages need.

- the same signed session cookie (Flask's own session, the same SECRET_KEY), its CSRF token made as Flask-WTF makes
  it;
- two SQLAlchemy Core queries a page: the person signed in (and their org unit), then the page's rows with their
  total — the open calls meant for the agent with the agent's live sign-up to each; the requests waiting for the
  manager (their direct reports', those of managers they stand in for, those escalated to them) with the hours
  already allocated this year to each agent;
- Jinja with Alliés' own catalogs (French), Babel called directly for dates, times and numbers;
- each page's layout (head, navigation, search form, table head, footer) as Alliés served it once at the start of
  the benchmark (BENCH_CALLS_PAGE, BENCH_CALL_PAGE, BENCH_INBOX_PAGE): it changes with neither the rows nor the
  request, only its CSRF token does. (The benchmark's manager has no extension waiting, and its agent never had a
  sign-up refused to the call measured: the floor shows neither.)
- a call's description rendered by Alliés' own Markdown function (markdown-it and nh3): the same work.

What Alliés spends beyond this is the cost of its framework choices (ORM objects, Flask-Babel, WTForms, the shared
template context) rather than of the work the page does.
"""

import os
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from flask import Flask, Response, session
from itsdangerous import URLSafeTimedSerializer
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import create_engine, text

from app.markup import render_markdown  # Alliés' own Markdown and sanitiser: the same work, not framework

ROOT = Path(__file__).resolve().parent.parent
LOCALE = Locale.parse("fr_FR")
ZONE = ZoneInfo("Europe/Paris")
PER_PAGE, INBOX_PER_PAGE = 20, 50
TOKEN = re.compile(rb'(name="csrf_token" value=")[^"]*(")')

translations = Translations.load(str(ROOT / "app" / "translations"), ["fr"], "messages")
_, ngettext = translations.ugettext, translations.ungettext
FACTS = {key: _(label) for key, label in {
    "time": "Time asked", "period": "Period", "places": "Places left", "deadline": "Sign-ups close",
    "agreement": "Manager's agreement", "needed": "Needed", "not_needed": "Not needed", "no_limit": "No limit",
    "contact": "Contact"}.items()}
# Alliés' status labels are lazy strings, which Jinja takes as markup: not escaped (« d'attente »).
STATUSES = {"pending_manager": Markup(_("Waiting for the manager")), "waitlisted": Markup(_("On the waiting list")),
            "approved": Markup(_("Approved"))}

served = Path(os.environ["BENCH_CALLS_PAGE"]).read_bytes()
HEAD, TAIL = served.split(b'<p class="result-count" role="status">', 1)[0], b"\n\n  </main>" + \
    served.split(b"\n\n  </main>", 1)[1]
served = Path(os.environ["BENCH_CALL_PAGE"]).read_bytes()
CALL_HEAD, rest = served.split(b'<p><a href="/calls">', 1)
CALL_TAIL = b"\n\n  </main>" + rest.split(b"\n\n  </main>", 1)[1]
served = Path(os.environ["BENCH_INBOX_PAGE"]).read_bytes()
INBOX_HEAD, rest = served.split(b"<tbody>", 1)
INBOX_HEAD += b"<tbody>"
INBOX_MIDDLE, rest = b"\n    </tbody>" + rest.split(b"\n    </tbody>", 1)[1].split(b'\n  <nav aria-label="', 1)[0], \
    rest.split(b"</nav>", 1)[1]
INBOX_TAIL = rest
ELIDING = set("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜHaeiouyàâäæéèêëîïôöœùûüh")

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
engine = create_engine(os.environ["DATABASE_URL"], pool_size=4)
tokens = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")

AGENT = text("SELECT u.id, u.session_version, u.active, o.path_key FROM allies_users u "
             "LEFT JOIN allies_org_units o ON o.id = u.org_unit_id WHERE u.id = :id")
CALLS = text("""
SELECT c.id, c.title, c.summary, c.commitment_kind, c.commitment_value, c.start_date, c.end_date, c.capacity,
       c.held_places, c.deadline, c.needs_manager_agreement, c.contact, count(*) OVER () AS total,
       (SELECT s.status FROM allies_signups s WHERE s.call_id = c.id AND s.agent_id = :agent
          AND s.status IN ('pending_manager', 'waitlisted', 'approved')) AS mine
FROM allies_calls c
WHERE c.status = 'published' AND c.deadline > now()
  AND (c.audience_all OR EXISTS (
    SELECT 1 FROM allies_call_audience a JOIN allies_org_units o ON o.id = a.org_unit_id
    WHERE a.call_id = c.id AND (:unit = o.path_key OR :unit LIKE o.path_key || '/%')))
ORDER BY c.deadline, c.id LIMIT :limit
""")

ONE_CALL = text("""
SELECT c.id, c.title, c.summary, c.body, c.commitment_kind, c.commitment_value, c.start_date, c.end_date, c.capacity,
       c.held_places, c.deadline, c.needs_manager_agreement, c.contact,
       c.status = 'published' AND c.deadline > now() AS open,
       (SELECT s.status FROM allies_signups s WHERE s.call_id = c.id AND s.agent_id = :agent
          AND s.status IN ('pending_manager', 'waitlisted', 'approved')) AS mine,
       (SELECT s.status FROM allies_signups s WHERE s.call_id = c.id AND s.agent_id = :agent
        ORDER BY s.submitted_at DESC, s.id DESC LIMIT 1) AS previous
FROM allies_calls c
WHERE c.id = :id AND c.status IN ('published', 'closed')
  AND (c.audience_all OR EXISTS (
    SELECT 1 FROM allies_call_audience a JOIN allies_org_units o ON o.id = a.org_unit_id
    WHERE a.call_id = c.id AND (:unit = o.path_key OR :unit LIKE o.path_key || '/%')))
""")
REQUESTS = text("""
SELECT s.id, s.agent_id, u.given_name || ' ' || u.family_name AS name, c.title, c.start_date, c.end_date,
       s.hours_asked, s.submitted_at, count(*) OVER () AS total,
       (SELECT coalesce(sum(a.hours), 0) FROM allies_allocations a
        WHERE a.agent_id = s.agent_id AND a.start_date BETWEEN :first AND :last) AS allocated
FROM allies_signups s JOIN allies_users u ON u.id = s.agent_id JOIN allies_calls c ON c.id = s.call_id
WHERE s.status = 'pending_manager' AND u.id <> :me
  AND (u.manager_id = :me
       OR u.manager_id IN (SELECT d.manager_id FROM allies_delegations d WHERE d.deputy_id = :me
                           AND d.revoked_at IS NULL AND d.start_date <= :today AND d.end_date >= :today)
       OR s.id IN (SELECT r.signup_id FROM allies_request_reminders r
                   WHERE r.kind = 'escalation' AND r.recipient_id = :me))
ORDER BY s.submitted_at, s.id LIMIT :limit
""")

environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
environment.install_gettext_translations(translations, newstyle=True)
FACTS_HTML = """<dl class="facts">
  <dt>{{ facts.time }}</dt>
  <dd>{{ call.commitment }}</dd>
  <dt>{{ facts.period }}</dt>
  <dd>{{ _("from %(start)s to %(end)s", start=call.start, end=call.end) }}</dd>
  <dt>{{ facts.places }}</dt>
  <dd>{% if call.capacity is none %}{{ facts.no_limit }}{% else %}\
{{ _("%(left)d of %(capacity)d", left=call.capacity - call.held_places, capacity=call.capacity) }}{% endif %}</dd>
  <dt>{{ facts.deadline }}</dt>
  <dd>{{ call.deadline }}</dd>
  <dt>{{ facts.agreement }}</dt>
  <dd>{{ facts.needed if call.needs_manager_agreement else facts.not_needed }}</dd>
  {% if call.contact %}<dt>{{ facts.contact }}</dt><dd>{{ call.contact }}</dd>{% endif %}
</dl>"""
CARDS = environment.from_string("""\
<p class="result-count" role="status">{% if total %}{{ ngettext("%(num)d open call", "%(num)d open calls", total) }}\
{% else %}{{ _("No open call matches.") }}{% endif %}</p>

<ul class="cards">
{% for call in calls %}
  <li class="card">
    <h2><a href="/calls/{{ call.id }}">{{ call.title }}</a></h2>
    <p>{{ call.summary }}</p>
    """ + FACTS_HTML + """
    {% if call.mine %}<p class="badge"><strong>{{ _("Your sign-up:") }}</strong> {{ statuses[call.mine] }}</p>\
{% endif %}
  </li>
{% endfor %}
</ul>
{% if pages > 1 %}
  <nav aria-label="{{ _('Pages') }}" class="pagination">
    <ul>
      
      <li>{{ _("Page %(page)d of %(pages)d", page=1, pages=pages) }}</li>
      <li><a href="/calls?page=2">{{ _("Next page") }}</a></li>
    </ul>
  </nav>{% endif %}""")


CALL = environment.from_string("""<p><a href="/calls">{{ _("All open calls") }}</a></p>
<h1>{{ call.title }}</h1>
<p class="lead">{{ call.summary }}</p>
""" + FACTS_HTML + """
<div class="prose">{{ body }}</div>

{% if call.mine %}
<p class="badge"><strong>{{ _("Your sign-up:") }}</strong> {{ statuses[call.mine] }} — \
<a href="/my/sign-ups">{{ _("see my sign-ups") }}</a></p>
{% elif call.open %}
<p>
  <a class="button primary" href="/calls/{{ call.id }}/sign-up">{{ _("Sign up to this call") }}</a>
  {% if call.capacity is not none and call.capacity == call.held_places %}<span class="hint">\
{{ _("The call is full: you will be put on the waiting list.") }}</span>{% endif %}
</p>
{% else %}
<p class="badge">{{ _("Sign-ups are closed.") }}</p>
{% endif %}""")
ROWS = environment.from_string("""
    {% for row in rows %}
      <tr>
        <td><input type="checkbox" name="signups" value="{{ row.id }}" id="select-{{ row.id }}"><label \
for="select-{{ row.id }}" class="visually-hidden">{{ row.select }}</label></td>
        <th scope="row">{{ row.name }}</th>
        <td><a href="/approvals/{{ row.id }}">{{ _("Decide") }}<span class="visually-hidden"> — {{ row.name }}</span>\
</a></td>
        <td>{{ row.title }}</td>
        <td>{{ _("from %(start)s to %(end)s", start=row.start, end=row.end) }}</td>
        <td>{{ _("%(hours)s h", hours=row.hours) }}</td>
        <td>{{ _("%(hours)s h", hours=row.allocated) }}</td>
        <td>{{ row.sent }}</td>
      </tr>
    {% endfor %}""")
PAGES = environment.from_string("""
  <nav aria-label="{{ _('Pages') }}" class="pagination">
    <ul>
      
      <li>{{ _("Page %(page)d of %(pages)d", page=1, pages=pages) }}</li>
      <li><a href="{{ path }}?page=2">{{ _("Next page") }}</a></li>
    </ul>
  </nav>""")


def elided(text, value):
    """« de Inès » written « d'Inès », as Alliés writes it in French."""
    if value[:1] in ELIDING:
        for before, after in (("de ", "d'"), ("De ", "D'"), ("que ", "qu'"), ("Que ", "Qu'")):
            text = text.replace(before + value, after + value)
    return text


def day(value):
    """« 1er janvier 2027 », as Alliés writes a date in French."""
    return re.sub(r"(?<![\d/.-])1(?= )", "1er", format_date(value, "long", locale=LOCALE), count=1)


def moment(value):
    """« 9 décembre 2026 à 20:43 » in the intranet's time zone."""
    local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(ZONE)
    return _("%(date)s at %(time)s") % {"date": day(local.date()),
                                        "time": format_time(local, "short", tzinfo=ZONE, locale=LOCALE)}


def commitment(kind, value):
    """The time a call asks, in words."""
    if kind == "percent":
        pattern = re.sub(r"0(?=[^0#,]*$)", "0.##", LOCALE.percent_formats[None].pattern, count=1)
        return _("%(share)s of working time") % {"share": format_percent(value / 100, pattern, locale=LOCALE)}
    count = 1 if LOCALE.plural_form(abs(value)) == "one" else 2
    number = format_decimal(value, locale=LOCALE)
    words = {"hours_per_month": ("%(value)s hour per month", "%(value)s hours per month"),
             "days_per_month": ("%(value)s day per month", "%(value)s days per month")}.get(
        kind, ("%(value)s hour in total", "%(value)s hours in total"))
    return ngettext(*words, count) % {"value": number}


def signed_in(connection):
    """The row of the person the session names, or None (unknown, inactive or signed out since)."""
    user_id, _, version = session.get("_user_id", "").partition(":")
    person = connection.execute(AGENT, {"id": int(user_id)}).one()
    return person if person.active and person.session_version == int(version) else None


def with_token(*parts):
    """The page's parts with this session's CSRF token in their forms."""
    token = tokens.dumps(session["csrf_token"]).encode()
    return [TOKEN.sub(lambda match: match.group(1) + token + match.group(2), part) for part in parts]


@app.get("/calls")
def calls():
    """Alliés' open-calls page, first page, for the signed-in agent of the session."""
    with engine.connect() as connection:
        agent = signed_in(connection)
        if agent is None:
            return Response(status=302, headers={"Location": "/login"})
        rows = connection.execute(CALLS, {"agent": agent.id, "unit": agent.path_key or "", "limit": PER_PAGE}).all()
    total = rows[0].total if rows else 0
    cards = [{"id": row.id, "title": row.title, "summary": row.summary, "contact": row.contact,
              "commitment": commitment(row.commitment_kind, Decimal(row.commitment_value)),
              "start": day(row.start_date), "end": day(row.end_date), "capacity": row.capacity,
              "held_places": row.held_places, "deadline": moment(row.deadline),
              "needs_manager_agreement": row.needs_manager_agreement, "mine": row.mine} for row in rows]
    head, tail = with_token(HEAD, TAIL)
    middle = CARDS.render(calls=cards, total=total, pages=-(-total // PER_PAGE), facts=FACTS, statuses=STATUSES)
    return Response(head + middle.encode() + tail, mimetype="text/html")


@app.get("/calls/<int:call_id>")
def call_page(call_id):
    """Alliés' page of one call for the signed-in agent (who never had a refused or declined sign-up to it)."""
    with engine.connect() as connection:
        agent = signed_in(connection)
        if agent is None:
            return Response(status=302, headers={"Location": "/login"})
        row = connection.execute(ONE_CALL, {"id": call_id, "agent": agent.id, "unit": agent.path_key or ""}).first()
    if row is None:
        return Response(status=404)
    if row.mine is None and row.previous in ("refused", "declined"):
        return Response(status=501)  # the notice about a previous sign-up: not rebuilt here
    call = {"id": row.id, "title": row.title, "summary": row.summary, "contact": row.contact,
            "commitment": commitment(row.commitment_kind, Decimal(row.commitment_value)),
            "start": day(row.start_date), "end": day(row.end_date), "capacity": row.capacity,
            "held_places": row.held_places, "deadline": moment(row.deadline), "open": row.open,
            "needs_manager_agreement": row.needs_manager_agreement, "mine": row.mine}
    head, tail = with_token(CALL_HEAD, CALL_TAIL)
    middle = CALL.render(call=call, body=render_markdown(row.body, heading_offset=1), facts=FACTS, statuses=STATUSES)
    return Response(head + middle.encode() + tail, mimetype="text/html")


@app.get("/approvals")
def inbox():
    """Alliés' inbox of requests waiting for the signed-in manager, first page."""
    today = datetime.now(ZONE).date()
    with engine.connect() as connection:
        manager = signed_in(connection)
        if manager is None:
            return Response(status=302, headers={"Location": "/login"})
        rows = connection.execute(REQUESTS, {"me": manager.id, "today": today, "first": date(today.year, 1, 1),
                                             "last": date(today.year, 12, 31), "limit": INBOX_PER_PAGE}).all()
    total = rows[0].total if rows else 0
    requests = [{"id": row.id, "name": row.name, "title": row.title, "start": day(row.start_date),
                 "end": day(row.end_date), "hours": format_decimal(row.hours_asked, locale=LOCALE),
                 "allocated": format_decimal(row.allocated, locale=LOCALE), "sent": moment(row.submitted_at),
                 "select": elided(_("Select the request of %(name)s") % {"name": row.name}, row.name)}
                for row in rows]
    head, middle, tail = with_token(INBOX_HEAD, INBOX_MIDDLE, INBOX_TAIL)
    pages = -(-total // INBOX_PER_PAGE)
    body = ROWS.render(rows=requests).encode() + middle + \
        (PAGES.render(pages=pages, path="/approvals").encode() if pages > 1 else b"")
    return Response(head + body + tail, mimetype="text/html")
