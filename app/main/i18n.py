"""Language choice: French first, English on request, remembered in the session."""

import re
from datetime import datetime

from flask import current_app, g, has_request_context, session
from flask_babel import format_date, format_percent, get_locale, to_user_timezone
from sqlalchemy import inspect

from ..auth.identity import current_agent

LOCALE_SESSION_KEY = "allies_locale"


def remember_locale(agent, locale):
    """Keep the signed-in agent's choice, so mails reach them in that language."""
    if agent is not None:
        agent.locale = locale


def select_locale():
    """The language the agent chose with the switch, else the configured default (French, also for the CLI)."""
    chosen = session.get(LOCALE_SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["ALLIES_LOCALES"]:
        return chosen
    agent = current_agent() if has_request_context() else None
    if agent is not None and agent.locale in current_app.config["ALLIES_LOCALES"]:
        return agent.locale
    return current_app.config["ALLIES_DEFAULT_LOCALE"]


def settle_locale():
    """Choose this request's language now from what is already in memory (the switch, the agent as loaded), before
    an error lets the request's session go: the error page must never reach the database for it."""
    if "allies_agent" not in g:
        return  # never looked up: looking now would reach the database; the page takes the switch or the default
    agent = g.allies_agent
    if agent is None or "locale" in inspect(agent).dict:  # an expired agent would be read from the database
        get_locale()


# French elides « de » before a vowel or a mute h: « la demande d'Ana », « de Camille ».
_ELIDING = set("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜHaeiouyàâäæéèêëîïôöœùûüh")


def elided(text, *values):
    """The translated text with « de X » written « d'X » (and « que X » « qu'X ») for each value X that starts
    with a vowel or an h (names, titles); other languages and other words are left alone."""
    for value in values:
        value = str(value or "")
        if value[:1] in _ELIDING:
            for before, after in (("de ", "d'"), ("De ", "D'"), ("que ", "qu'"), ("Que ", "Qu'")):
                text = text.replace(before + value, after + value)
    return text


def format_day(day, format="long"):
    """A date as people read it, the one way pages, mails and messages write it: « 1er janvier 2027 » in French
    (Babel writes « 1 janvier »), « January 1, 2027 » in English."""
    local = to_user_timezone(day) if isinstance(day, datetime) else day
    return first_of_month(format_date(day, format), local, get_locale())


def first_of_month(text, day, locale):
    """`text`, a date written by Babel, with « 1er » for the first of a month in French."""
    if day.day == 1 and str(locale).startswith("fr"):
        text = re.sub(r"(?<![\d/.-])1(?= )", "1er", text, count=1)
    return text


def plural_count(number):
    """The count that picks the right plural form for `number` in the current language: French says « 0,3 jour »
    and « 1,7 jour » (below 2 is singular), English « 1.5 hours » (only exactly 1 is)."""
    return 1 if get_locale().plural_form(abs(number)) == "one" else 2


def format_share(fraction, digits=0):
    """A fraction as a percentage in the language's own pattern, with up to `digits` decimals: « 1,7 % »."""
    return format_percent(fraction, share_pattern(get_locale(), digits))


def share_pattern(locale, digits=0):
    """The language's percent pattern with up to `digits` decimals."""
    pattern = locale.percent_formats[None].pattern
    if digits:
        pattern = re.sub(r"0(?=[^0#,]*$)", "0." + "#" * digits, pattern, count=1)
    return pattern



def join_choices(choices):
    """The choices of a multiple-choice answer as one text, the same on pages and in files: « A ; B » in French
    (a no-break space before the semicolon), « A; B » in English."""
    separator = "\u00a0; " if str(get_locale()).startswith("fr") else "; "
    return separator.join(str(choice) for choice in choices)
