"""The realistic floor: Alliés' open-calls page, byte for byte but for the CSRF token, from a small Flask app on the
same stack and as little else as the page needs.

- the same signed session cookie (Flask's own session, the same SECRET_KEY), its CSRF token made as Flask-WTF makes
  it;
- two SQLAlchemy Core queries: the agent (and their org unit), then the page of open calls meant for them with
  the total and the agent's live sign-up to each;
- Jinja with Alliés' own catalogs (French), Babel called directly for dates, times and numbers;
- the page's layout (head, navigation, search form, footer) as Alliés served it once at the start of the
  benchmark (BENCH_CALLS_PAGE): it changes with neither the calls nor the request, only its CSRF token does.

What Alliés spends beyond this is the cost of its framework choices (ORM objects, Flask-Babel, WTForms, the shared
template context) rather than of the work the page does.
"""

import os
import re
from datetime import timezone
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

ROOT = Path(__file__).resolve().parent.parent
LOCALE = Locale.parse("fr_FR")
ZONE = ZoneInfo("Europe/Paris")
PER_PAGE = 20
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

with open(os.environ["BENCH_CALLS_PAGE"], "rb") as page_file:
    served = page_file.read()
HEAD, TAIL = served.split(b'<p class="result-count" role="status">', 1)[0], b"\n\n  </main>" + \
    served.split(b"\n\n  </main>", 1)[1]

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

environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
environment.install_gettext_translations(translations, newstyle=True)
CARDS = environment.from_string("""\
<p class="result-count" role="status">{% if total %}{{ ngettext("%(num)d open call", "%(num)d open calls", total) }}\
{% else %}{{ _("No open call matches.") }}{% endif %}</p>

<ul class="cards">
{% for call in calls %}
  <li class="card">
    <h2><a href="/calls/{{ call.id }}">{{ call.title }}</a></h2>
    <p>{{ call.summary }}</p>
    <dl class="facts">
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
</dl>
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


def day(value):
    """« 1er janvier 2027 », as Alliés writes a date in French."""
    return re.sub(r"(?<![\d/.-])1(?= )", "1er", format_date(value, "long", locale=LOCALE), count=1)


def moment(value):
    """« 9 décembre 2026 à 20:43 » in the intranet's time zone."""
    local = value.astimezone(ZONE)
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


@app.get("/calls")
def calls():
    """Alliés' open-calls page, first page, for the signed-in agent of the session."""
    user_id, _, version = session.get("_user_id", "").partition(":")
    with engine.connect() as connection:
        agent = connection.execute(AGENT, {"id": int(user_id)}).one()
        if not agent.active or agent.session_version != int(version):
            return Response(status=302, headers={"Location": "/login"})
        rows = connection.execute(CALLS, {"agent": agent.id, "unit": agent.path_key or "", "limit": PER_PAGE}).all()
    total = rows[0].total if rows else 0
    cards = [{"id": row.id, "title": row.title, "summary": row.summary, "contact": row.contact,
              "commitment": commitment(row.commitment_kind, Decimal(row.commitment_value)),
              "start": day(row.start_date), "end": day(row.end_date), "capacity": row.capacity,
              "held_places": row.held_places, "deadline": moment(row.deadline.replace(tzinfo=timezone.utc)
                                                                  if row.deadline.tzinfo is None else row.deadline),
              "needs_manager_agreement": row.needs_manager_agreement, "mine": row.mine} for row in rows]
    token = tokens.dumps(session["csrf_token"]).encode()
    head = TOKEN.sub(lambda match: match.group(1) + token + match.group(2), HEAD)
    tail = TOKEN.sub(lambda match: match.group(1) + token + match.group(2), TAIL)
    middle = CARDS.render(calls=cards, total=total, pages=-(-total // PER_PAGE), facts=FACTS, statuses=STATUSES)
    return Response(head + middle.encode() + tail, mimetype="text/html")
