"""The lab's volunteer list: one query for the screen and the files, the same rows in the same order."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Numeric, case, func, select, type_coerce
from sqlalchemy.orm import aliased

from ..budgets.models import Allocation, TimeEntry
from ..calls.models import Call, Question
from ..clock import local_midnight, local_today
from ..database import session
from ..directory.models import OrgUnit, User
from ..directory.queries import in_unit
from ..main.i18n import join_choices
from ..signups.models import Answer, SignUp, SignUpStatus
from ..text import folded

BATCH = 1000  # rows read from the database at a time, with their answers
STATUS, SENT = 6, 7  # columns of a row that Python finishes: the status in words, the time in local time


def volunteer_query(calls=(), statuses=(), unit="", submitted_from=None, submitted_to=None, q="", one_page=False):
    """A select of the volunteer list's columns for these filters, by call then by name. `one_page`: the hours
    used are summed for each row read (a page of them), not for every allocation at once (a whole list)."""
    manager = aliased(User)
    if one_page:
        used = None
        used_hours = case((Allocation.id.is_not(None), func.coalesce(
            select(func.sum(TimeEntry.hours)).where(TimeEntry.allocation_id == Allocation.id).scalar_subquery(), 0)))
    else:
        used = (select(TimeEntry.allocation_id, func.sum(TimeEntry.hours).label("hours"))
                .group_by(TimeEntry.allocation_id).subquery())
        used_hours = func.coalesce(used.c.hours, case((Allocation.id.is_not(None), 0)))
    query = (select(SignUp.id, User.family_name, User.given_name, User.email,
                    func.coalesce(func.replace(OrgUnit.path, "/", " › "), ""),
                    func.coalesce(manager.given_name + " " + manager.family_name, ""), Call.title, SignUp.status,
                    SignUp.submitted_at, SignUp.hours_asked, Allocation.hours, used_hours,
                    type_coerce(case((Allocation.hours > used_hours, Allocation.hours - used_hours),
                                     (Allocation.id.is_not(None), 0)), Numeric(7, 2)),
                    func.coalesce(Allocation.start_date, Call.start_date),
                    func.coalesce(Allocation.end_date, Call.end_date))
             .join(User, User.id == SignUp.agent_id).join(Call, Call.id == SignUp.call_id)
             .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id).outerjoin(manager, manager.id == User.manager_id)
             .outerjoin(Allocation, Allocation.signup_id == SignUp.id)
             .order_by(Call.start_date.desc(), Call.id, User.sort_name, SignUp.id))
    if used is not None:
        query = query.outerjoin(used, used.c.allocation_id == Allocation.id)
    return _filtered(query, calls, statuses, unit, submitted_from, submitted_to, q)


def volunteer_count(calls=(), statuses=(), unit="", submitted_from=None, submitted_to=None, q=""):
    """How many sign-ups the volunteer list holds for these filters: counted among the sign-ups alone, with their
    agents (and org units) only when a filter needs them."""
    query = select(func.count()).select_from(SignUp)
    if unit or q:
        query = query.join(User, User.id == SignUp.agent_id)
    if unit:
        query = query.outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
    return session.execute(_filtered(query, calls, statuses, unit, submitted_from, submitted_to, q)).scalar_one()


def _filtered(query, calls, statuses, unit, submitted_from, submitted_to, q):
    """The volunteer list's filters applied to a select of sign-ups (with their agents and org units, for the
    filters on them)."""
    if calls:
        query = query.where(SignUp.call_id.in_(calls))
    if statuses:
        query = query.where(SignUp.status.in_(statuses))
    if unit:
        query = query.where(in_unit(unit))
    if submitted_from:
        query = query.where(SignUp.submitted_at >= local_midnight(submitted_from))
    if submitted_to:
        query = query.where(SignUp.submitted_at < local_midnight(submitted_to + timedelta(days=1)))
    if q:
        query = query.where(User.search_text.contains(folded(q.strip()), autoescape=True))
    return query


class QuestionColumn(NamedTuple):
    """A question as a column of the list: plain values, readable once the request's session is gone."""

    id: int
    call_id: int
    call_title: str
    label: str


def questions_of(calls):
    """The questions of the chosen calls (none when no call is chosen), in the calls' order then their own."""
    if not calls:
        return []
    found = session.execute(select(Question.id, Question.call_id, Call.title, Question.label).join(Call)
                            .where(Question.call_id.in_(calls))
                            .order_by(Call.start_date.desc(), Call.id, Question.position, Question.id))
    return [QuestionColumn(*row) for row in found]


def header(questions):
    """Column titles in the reader's language, then one per question (with its call when several calls)."""
    several = len({question.call_id for question in questions}) > 1
    return [_("Family name"), _("Given name"), _("E-mail"), _("Org unit"), _("Manager"), _("Call"), _("Status"),
            _("Sent on"), _("Hours asked"), _("Hours agreed"), _("Hours used"), _("Hours remaining"),
            _("Start"), _("End"),
            *[f"{question.call_title} — {question.label}" if several else question.label for question in questions]]


def rows(query, questions, whole_list=True):
    """The list's rows as cell values (text, numbers, dates, times in local time), read in batches with their
    answers; a whole list is streamed from a server-side cursor, a page is read at once (PostgreSQL plans a cursor
    for its first rows, not for all of a page)."""
    zone = ZoneInfo(current_app.config["ALLIES_TIMEZONE"])
    statuses = {status: str(status.title) for status in SignUpStatus}
    result = session.connection().execute(query.execution_options(yield_per=BATCH) if whole_list else query)
    for batch in result.partitions(BATCH):
        answers = _answers([row[0] for row in batch], questions)
        for signup_id, *cells in batch:
            cells[STATUS] = statuses[cells[STATUS]]
            cells[SENT] = cells[SENT].astimezone(zone)
            yield cells + [answers.get((signup_id, question.id)) for question in questions]


def _answers(signup_ids, questions):
    """{(sign-up id, question id): the answer as a cell value} for these sign-ups."""
    if not questions:
        return {}
    found = session.execute(select(Answer.signup_id, Answer.question_id, Answer.kind, Answer.value).where(
        Answer.signup_id.in_(signup_ids), Answer.question_id.in_([question.id for question in questions])))
    return {(signup_id, question_id): answer_cell(kind, value) for signup_id, question_id, kind, value in found}


def answer_cell(kind, value):
    """An answer as a spreadsheet reads it: choices joined, yes/no in words, dates and numbers as such."""
    if value is None or value == "" or value == []:
        return None
    if kind == "multiple_choice":
        return join_choices(value)
    if kind == "yes_no":
        return _("Yes") if value == "yes" else _("No")
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "number":
        return Decimal(str(value))
    return str(value)


def file_name(subject, extension, today=None):
    """A download name saying what the file holds (a call's title, a list's name) and the day, in plain ASCII."""
    slug = re.sub(r"[^a-z0-9]+", "-", folded(subject)).strip("-")[:60] or "export"
    return f"{slug}-{(today or local_today()).isoformat()}.{extension}"


def facilitator_allocations(today=None):
    """A select of the allocations running today of approved volunteers: the facilitators' network."""
    today = today or local_today()
    return (select(Allocation).join(SignUp, SignUp.id == Allocation.signup_id).join(User, User.id == Allocation.agent_id)
            .join(Call, Call.id == SignUp.call_id)
            .where(SignUp.status == SignUpStatus.APPROVED, Allocation.start_date <= today, Allocation.end_date >= today)
            .order_by(User.sort_name, Call.title, Allocation.id))


def facilitator_header():
    """Column titles of the facilitators' list."""
    return [_("Family name"), _("Given name"), _("E-mail"), _("Org unit"), _("Manager"), _("Call"), _("Start"),
            _("End"), _("Hours agreed"), _("Hours used"), _("Hours remaining"), _("Steady pace by today")]


def facilitator_rows(budgets):
    """The facilitators' list as cell values, from their budgets."""
    for budget in budgets:
        allocation, agent = budget.allocation, budget.allocation.agent
        manager = agent.manager
        yield [agent.family_name, agent.given_name, agent.email,
               agent.org_unit.path.replace("/", " › ") if agent.org_unit else "",
               manager.full_name if manager else "", allocation.signup.call.title, allocation.start_date,
               allocation.end_date, allocation.hours, budget.used, budget.remaining, budget.pace]
