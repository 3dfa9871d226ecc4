"""The Atom feed of the open calls, written with feedgen."""

from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import format_datetime, get_locale, ngettext
from flask_babel import gettext as _

from ..clock import utcnow
from ..fields import multiline_text, one_line_text
from ..mail.operations import external_url


def open_calls_feed(calls):
    """The bytes of an Atom document listing these calls: title, summary, link, closing date and places left."""
    feed = FeedGenerator()
    feed.id(external_url("allies.calls.index"))
    feed.title(_("Calls for volunteers — %(org)s", org=current_app.config["ALLIES_ORG_NAME"]))
    feed.subtitle(_("Let those who want to do things differently join us!"))
    feed.link(href=external_url("allies.calls.feed"), rel="self")
    feed.link(href=external_url("allies.calls.index"), rel="alternate")
    feed.language(str(get_locale()))
    feed.updated(max((call.published_at for call in calls), default=utcnow()))
    for call in reversed(calls):  # feedgen lists the last added entry first: the soonest deadline comes first
        entry = feed.add_entry()
        link = external_url("allies.calls.show", call_id=call.id)
        entry.id(link)
        entry.link(href=link)
        entry.title(one_line_text(call.title))  # XML cannot carry a control character kept from earlier days
        entry.updated(call.published_at or call.created_at)
        entry.published(call.published_at or call.created_at)
        places = (ngettext("%(num)d place left", "%(num)d places left", call.places_left)
                  if call.capacity is not None else _("No limit on places"))
        closing = _("Sign-ups until %(date)s", date=format_datetime(call.deadline, "short"))
        entry.summary(f"{multiline_text(call.summary)} — {closing} — {places}")
    return feed.atom_str(pretty=True)
