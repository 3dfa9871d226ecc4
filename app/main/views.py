"""Home page (what needs each person now, and their profile), language switch, privacy notice and accessibility statement."""

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, session
from flask_babel import get_locale

from ..approvals.queries import managers_deputised_by, may_be_asked
from ..auth.access import login_required, public
from ..auth.identity import current_agent
from ..directory.queries import direct_reports
from ..extensions import TEMPLATES_DIR
from ..markup import render_markdown
from .assets import add_digest, keep_for_a_year
from .i18n import LOCALE_SESSION_KEY, remember_locale
from .queries import budget_state, inbox_of, lab_news, last_directory_import, open_calls_of
from .security import safe_next
from .theme import theme_stylesheet

bp = Blueprint("main", __name__, template_folder=str(TEMPLATES_DIR), static_folder="../static",
               static_url_path="/allies-static")
bp.url_defaults(add_digest)
bp.after_request(keep_for_a_year)


@bp.route("/")
@login_required
def home():
    """What needs the signed-in person now, by role (calls and budget; requests to decide; the lab's news; the last
    directory import), then their profile and, for a manager, the team."""
    agent = current_agent()
    team = direct_reports(agent, active_only=True)
    decides_for_a_team = bool(team or managers_deputised_by(agent))
    inbox = inbox_of(agent) if decides_for_a_team or may_be_asked(agent) else None
    if inbox is not None and not (decides_for_a_team or inbox.total):
        inbox = None  # not a manager, nor a deputy, nor the fallback approver of anyone waiting
    return render_template(
        "allies/main/home.html", agent=agent, team=team, calls=open_calls_of(agent), budget=budget_state(agent),
        inbox=inbox, lab=lab_news() if agent.has_role("lab") else None,
        last_import=last_directory_import() if agent.has_role("admin") else None)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Remember the chosen language (fr, en) for this session and go back."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["ALLIES_LOCALES"]:
        session[LOCALE_SESSION_KEY] = locale
        remember_locale(current_agent(), locale)
    return redirect(safe_next(request.form.get("next")))


def instance_page(name):
    """Markdown from the instance folder (`name.<lang>.md`), rendered safely, or None for the default text."""
    path = Path(current_app.instance_path) / f"{name}.{get_locale()}.md"
    if not path.is_file():
        return None
    return render_markdown(path.read_text(encoding="utf-8"))


@bp.route("/theme.css")
@public
def theme():
    """The organisation's main colour (ALLIES_THEME_COLOUR), over the stylesheet's default."""
    return Response(theme_stylesheet(current_app.config["ALLIES_THEME_COLOUR"]), mimetype="text/css")


@bp.route("/privacy")
@public
def privacy():
    """The privacy notice (RGPD art. 13)."""
    return render_template("allies/main/privacy.html", custom=instance_page("privacy"))


@bp.route("/accessibility")
@public
def accessibility():
    """The accessibility statement (RGAA)."""
    return render_template("allies/main/accessibility.html", custom=instance_page("accessibility"))
