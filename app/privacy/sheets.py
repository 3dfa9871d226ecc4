"""« Mes données » as a spreadsheet: headers in the reader's language, codes in words, times in local time."""

import json
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone

from ..approvals.models import DecisionKind, DecisionOutcome
from ..audit.labels import OBJECT_TITLES, action_title
from ..budgets.models import ExtensionStatus
from ..directory.forms import ROLE_LABELS
from ..recognition.models import BadgeKind
from ..signups.models import SignUpStatus

SHEET_TITLES = {"profile": _l("Profile"), "sign_ups": _l("Sign-ups"), "decisions": _l("Decisions on my requests"),
                "allocations": _l("Time budgets"), "time_entries": _l("Time entries"),
                "extensions": _l("Extensions asked"), "delegations": _l("Delegations"),
                "identities": _l("Sign-on identities"), "api_tokens": _l("API tokens"),
                "attestations": _l("Attestations"), "badges": _l("Badges"),
                "thank_you_letters": _l("Thank-you letters"),
                "testimonials": _l("Testimonials"), "mails": _l("Mails"), "audit_entries": _l("Audit entries")}

COLUMN_TITLES = {
    "login": _l("Login"), "email": _l("E-mail"), "given_name": _l("Given name"), "family_name": _l("Family name"),
    "org_unit": _l("Org unit"), "manager": _l("Manager"), "quotity": _l("Working time (%)"), "roles": _l("Roles"),
    "active": _l("Active"), "language": _l("Language"), "lab_daily_digest": _l("Lab notices in a daily digest"),
    "call": _l("Call"), "status": _l("Status"), "submitted_at": _l("Sent on"), "hours_asked": _l("Hours asked"),
    "motivation": _l("Motivation"), "availability": _l("Availability"), "decline_reason": _l("Reason declined"),
    "answers": _l("Answers"), "about": _l("About"), "outcome": _l("Decision"), "hours_agreed": _l("Hours agreed"),
    "new_end_date": _l("New end date"), "reason": _l("Reason"), "decided_at": _l("Decided on"),
    "decided_by": _l("Decided by"), "hours": _l("Hours"), "start": _l("Start"), "end": _l("End"), "day": _l("Day"),
    "note": _l("Note"), "extra_hours": _l("Extra hours"), "deputy": _l("Deputy"), "ended_at": _l("Ended on"),
    "source": _l("Sign-on source"), "subject": _l("Identifier"), "linked_at": _l("Linked on"),
    "last_seen_at": _l("Last seen on"), "name": _l("Name"), "starts_with": _l("Starts with"),
    "created_at": _l("Created on"), "last_used_at": _l("Last used on"), "revoked_at": _l("Revoked on"),
    "sent_at": _l("Sent on"), "body": _l("Text"), "at": _l("Date"), "action": _l("Action"),
    "by": _l("By"), "object": _l("Object"), "details": _l("Details"), "address": _l("IP address"),
    "category": _l("Category"), "filiere": _l("Filière"), "shows_badges": _l("Badges shown on my profile"),
    "weekly_digest": _l("Requests in a Monday digest"), "number": _l("Number"), "sha256": _l("SHA-256 of the PDF"),
    "badge": _l("Badge"), "since": _l("Since"), "co_signed_by": _l("Co-signed by"),
    "forwarded_at": _l("Sent to my manager on"), "author_agreed": _l("Its author agreed"),
    "agent_agreed": _l("I agreed"),
}
# The same key meaning something else on one sheet.
SHEET_COLUMN_TITLES = {("mails", "subject"): _l("Subject"), ("mails", "created_at"): _l("Written on"),
                       ("mails", "to"): _l("Sent to")}


def _object(text):
    """« SignUp 12 » as « Candidature n° 12 »."""
    kind, _space, number = text.rpartition(" ")
    return _("%(kind)s no. %(number)s", kind=OBJECT_TITLES.get(kind, kind), number=number)


WORDS = {
    ("profile", "roles"): lambda roles: ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles),
    ("sign_ups", "status"): lambda status: str(SignUpStatus(status).title),
    ("decisions", "about"): lambda kind: str(DecisionKind(kind).title),
    ("decisions", "outcome"): lambda outcome: str(DecisionOutcome(outcome).title),
    ("extensions", "status"): lambda status: str(ExtensionStatus(status).title),
    ("badges", "badge"): lambda kind: str(BadgeKind(kind).title),
    ("audit_entries", "action"): action_title,
    ("audit_entries", "object"): _object,
}


def plain(value):
    """JSON for what the standard encoder does not know: dates in ISO 8601 (moments with their offset), exact
    decimals as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _cell(value):
    """A value of own_data as a spreadsheet cell: moments in local time, yes/no in words, lists and mappings as
    JSON text."""
    if isinstance(value, datetime):
        return to_user_timezone(value).replace(tzinfo=None)
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=plain, ensure_ascii=False)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def _in_words(sheet, column, value):
    words = WORDS.get((sheet, column))
    return _cell(words(value) if words is not None and value is not None else value)


def _title(sheet, column):
    return str(SHEET_COLUMN_TITLES.get((sheet, column)) or COLUMN_TITLES.get(column, column))


def own_data_sheets(data):
    """One sheet per kind of data: the profile as pairs, the rest as tables."""
    yield (str(SHEET_TITLES["profile"]), [_("Field"), _("Value")],
           ([_title("profile", key), _in_words("profile", key, value)] for key, value in data["profile"].items()))
    for key, records in data.items():
        if key == "profile" or not records:
            continue
        columns = list(records[0])
        yield (str(SHEET_TITLES[key]), [_title(key, column) for column in columns],
               ([_in_words(key, column, record[column]) for column in columns] for record in records))
