"""What every Alliés template can use."""

from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import wraps

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, url_for
from flask_babel import format_decimal, format_time, get_locale, get_timezone, get_translations, ngettext
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup

from ..auth.access import here
from ..auth.identity import current_agent, identity
from ..calls.forms import FACT_LABELS, QUESTION_LABELS
from ..calls.models import CallStatus
from ..directory.forms import ROLE_LABELS
from ..signups.forms import EVENT_LABELS as SIGNUP_EVENT_LABELS
from ..signups.models import SignUpStatus
from .i18n import first_of_month, format_day, format_share, plural_count, share_pattern


# Filters whose text depends on the request's language: Flask-Babel's and ours.
LANGUAGE_FILTERS = ("datetimeformat", "dateformat", "timeformat", "timedeltaformat", "numberformat", "decimalformat",
                    "currencyformat", "percentformat", "scientificformat", "date_and_time", "human_date", "share",
                    "choices")


def formatted_per_render(format_, name=None):
    """`format_` as a filter Jinja cannot run while compiling: it folds a filter on a constant (`0.8|percentformat`)
    into the compiled template, in the language of the request that compiled it, for every request after. In a
    render of ours, the filter `name` comes from `formats_of_this_render` when it has one."""
    if getattr(format_, "formatted_per_render", False):
        return format_

    @pass_context
    @wraps(format_)
    def render(context, value, *args, **kwargs):
        bound = context.get("allies_formats", {}).get(name)
        return (bound or format_)(value, *args, **kwargs)

    render.formatted_per_render = True
    return render


def catalog_of_this_render():
    """`gettext` (`_`) and `ngettext` for one page or mail, bound to its language's catalog, found once: Flask-Babel's
    own look it up again at each message (about 7 µs against 0.1 µs), and a page shows dozens. They behave as
    Jinja's new-style ones: the text is escaped unless marked safe, and `%(name)s` takes the keyword arguments."""
    catalog = get_translations()

    @pass_context
    def gettext(context, message, **variables):
        text = catalog.ugettext(message)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, number, **variables):
        variables.setdefault("num", number)
        text = catalog.ungettext(singular, plural, number)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext, "allies_formats": formats_of_this_render(catalog)}


def formats_of_this_render(catalog):
    """The language filters pages use most (`human_date`, `date_and_time`, `decimalformat`) and `commitment`, bound
    to one render's language and time zone, found once, and writing what Flask-Babel's would: those find both again at
    each value."""
    locale, zone = get_locale(), get_timezone()

    def local(moment):
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(zone)

    def human_date(day, format="long"):
        day = local(day) if isinstance(day, datetime) else day
        return first_of_month(babel_dates.format_date(day, format, locale=locale), day, locale)

    def date_and_time(moment):
        moment = local(moment)
        return catalog.ugettext("%(date)s at %(time)s") % {
            "date": human_date(moment), "time": babel_dates.format_time(moment, "short", tzinfo=zone, locale=locale)}

    def decimalformat(number, format=None):
        return babel_numbers.format_decimal(number, format=format, locale=locale)

    def share(fraction, digits=0):
        return babel_numbers.format_percent(fraction, share_pattern(locale, digits), locale=locale)

    def bound_commitment(call):
        return commitment(call, _=lambda message, **values: catalog.ugettext(message) % values,
                          ngettext=lambda one, many, count, **values: catalog.ungettext(one, many, count) % values,
                          format_decimal=decimalformat, format_share=share,
                          plural_count=lambda number: 1 if locale.plural_form(abs(number)) == "one" else 2)

    return {"human_date": human_date, "date_and_time": date_and_time, "decimalformat": decimalformat,
            "commitment": bound_commitment}


def logo_url():
    """The organisation's logo from config (a URL or a static path), else the built-in one."""
    logo = current_app.config["ALLIES_ORG_LOGO"]
    if logo and ("://" in logo or logo.startswith("/")):
        return logo
    return url_for("allies.main.static", filename=logo or "allies/logo.svg")


def agent_has_reports():
    """Whether the signed-in agent manages an active agent (read with the agent; one query for a source that did
    not load it so)."""
    agent = current_agent()
    return agent is not None and agent.has_reports


def date_and_time(moment):
    """A moment as people read it: « 24 décembre 2026 à 12:00 » in the intranet's time zone."""
    return _("%(date)s at %(time)s", date=format_day(moment), time=format_time(moment, "short"))


def commitment(call, _=_, ngettext=ngettext, format_decimal=format_decimal, format_share=format_share,
               plural_count=plural_count):
    """The time a call asks, in words: « 10 % du temps de travail », « 1,5 heure par mois ». A render passes its
    own catalog and formats (see `formats_of_this_render`)."""
    value, kind = call.commitment_value, call.commitment_kind
    if kind == "percent":
        return _("%(share)s of working time", share=format_share(value / 100, 2))
    count, number = plural_count(value), format_decimal(value)
    if kind == "hours_per_month":
        return ngettext("%(value)s hour per month", "%(value)s hours per month", count, value=number)
    if kind == "days_per_month":
        return ngettext("%(value)s day per month", "%(value)s days per month", count, value=number)
    return ngettext("%(value)s hour in total", "%(value)s hours in total", count, value=number)


def hours_text(hours):
    """Hours with their unit in the right plural form: « 1,5 heure », « 10 heures »."""
    return ngettext("%(value)s hour", "%(value)s hours", plural_count(hours), value=format_decimal(hours))


def working_days_text(days):
    """Working days with their unit in the right plural form: « 0,5 jour travaillé », « 3 jours travaillés »."""
    return ngettext("%(value)s working day", "%(value)s working days", plural_count(days), value=format_decimal(days))


def iso_date(text):
    """A date stored as ISO 8601 text (answers), as a date to format."""
    return date.fromisoformat(text)


class TranslatedLabels(Mapping):
    """Labels translated when a template first reads each of them, once per render: a page or a mail may show
    one label many times, and most show few of them."""

    def __init__(self, labels):
        self._labels, self._read = labels, {}

    def __getitem__(self, key):
        if key not in self._read:
            self._read[key] = str(self._labels[key])
        return self._read[key]

    def __iter__(self):
        return iter(self._labels)

    def __len__(self):
        return len(self._labels)


def template_context():
    """Inject the current agent, the organisation, the language and the labels into Alliés' templates and mails."""
    catalog = catalog_of_this_render()
    return {
        **catalog,
        "commitment": catalog["allies_formats"]["commitment"],
        "hours_text": hours_text,
        "working_days_text": working_days_text,
        "plural_count": plural_count,
        "question_labels": TranslatedLabels(QUESTION_LABELS),
        "call_status_labels": TranslatedLabels(CallStatus.titles()),
        "fact_labels": TranslatedLabels(FACT_LABELS),
        "signup_status_labels": SignUpStatus.titles(),
        "signup_event_labels": SIGNUP_EVENT_LABELS,
        "current_agent": current_agent(),
        "org_name": current_app.config["ALLIES_ORG_NAME"],
        "org_logo_url": logo_url,
        "current_locale": str(get_locale() or current_app.config["ALLIES_DEFAULT_LOCALE"]),
        "allies_base_template": current_app.config["ALLIES_BASE_TEMPLATE"],
        "role_labels": ROLE_LABELS,
        "agent_has_reports": agent_has_reports,
        "offers_sign_out": identity().offers_sign_out,
        "here": here,
    }
