"""Language choice: French first, English on request, remembered in the session."""

from flask import current_app, has_request_context, session

LOCALE_SESSION_KEY = "allies_locale"


def select_locale():
    """The language the agent chose with the switch, else the configured default (French, also for the CLI)."""
    chosen = session.get(LOCALE_SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["ALLIES_LOCALES"]:
        return chosen
    return current_app.config["ALLIES_DEFAULT_LOCALE"]
