"""Volunteers log their time against an allocation and ask for an extension when it runs out."""

from datetime import timedelta
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..approvals.links import ask_deputies, ask_for_decision
from ..audit.operations import record
from ..clock import local_today
from ..database import session
from ..refusals import Refusal
from ..directory.queries import approvers_of
from ..main.i18n import format_day
from .models import Allocation, Extension, ExtensionStatus, TimeEntry
from .queries import WARNING_SHARE
from .working_time import is_quarter, to_quarter_hours, working_hours

MAX_HOURS_A_DAY = Decimal(24)
LONGEST_EXTENSION = timedelta(days=366)  # a later end is at most a year after the current one


def lock_allocation(allocation_id):
    """The allocation, its row locked until the end of the transaction (so two entries never pass 100 %)."""
    return session.execute(select(Allocation).where(Allocation.id == allocation_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()


def _used_apart_from(allocation, entry=None):
    """Hours logged on the allocation, leaving out `entry`."""
    query = select(func.coalesce(func.sum(TimeEntry.hours), 0)).where(TimeEntry.allocation_id == allocation.id)
    if entry is not None:
        query = query.where(TimeEntry.id != entry.id)
    return Decimal(session.execute(query).scalar_one())


def _check_entry(allocation, day, hours, today):
    """The rules of a time entry that do not depend on the rest of the budget."""
    if hours is None or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise Refusal(_("Give between a quarter of an hour and 24 hours."), "hours")
    if not is_quarter(hours):
        raise Refusal(_("Use quarters of an hour: 1; 1,25; 1,5; 1,75…"), "hours")
    if day > today:
        raise Refusal(_("You cannot log time for a day still to come."), "day")
    if not allocation.covers(day):
        raise Refusal(_("Choose a day between %(start)s and %(end)s, the period of this allocation.",
                        start=format_day(allocation.start_date), end=format_day(allocation.end_date)), "day")
    if day < first_open_day(today):
        raise Refusal(_("Past months are closed: choose a day from %(start)s to today.",
                        start=format_day(max(first_open_day(today), allocation.start_date))), "day")


def first_open_day(today):
    """The first day time may still be logged on: past months are closed."""
    return today.replace(day=1)


def _check_room(allocation, used, hours):
    """Refuse an entry that would take the budget past 100 %."""
    if used + hours > allocation.hours:
        raise Refusal(
                      _("This would take you past the %(hours)s h agreed (%(left)s h left). Ask your manager for an "
                      "extension.", hours=format_decimal(allocation.hours), left=format_decimal(allocation.hours - used)),
                      "hours")


def _check_day(agent, day, hours, entry=None):
    """Refuse more than 24 hours logged on one day, all allocations together."""
    query = select(func.coalesce(func.sum(TimeEntry.hours), 0)).where(TimeEntry.agent_id == agent.id,
                                                                      TimeEntry.day == day)
    if entry is not None:
        query = query.where(TimeEntry.id != entry.id)
    logged = Decimal(session.execute(query).scalar_one())
    if logged + hours > MAX_HOURS_A_DAY:
        raise Refusal(_("You already logged %(hours)s h on this day: a day has 24 hours.",
                        hours=format_decimal(logged)), "hours")


def crossed_warning(allocation, before, after):
    """The share (0.8 or 1) the budget reached with this change, or None."""
    for threshold in (Decimal(1), WARNING_SHARE):
        if before < allocation.hours * threshold <= after:
            return threshold
    return None


def log_time(allocation, agent, day, hours, note="", today=None):
    """Log hours on a day against the agent's own allocation; never past 100 %. Returns the entry and the
    warning threshold the budget crossed (0.8, 1 or None)."""
    today = today or local_today()
    if allocation.agent_id != agent.id:
        raise Refusal(_("This allocation is not yours."))
    allocation = lock_allocation(allocation.id)
    _check_entry(allocation, day, hours, today)
    _check_day(agent, day, hours)
    used = _used_apart_from(allocation)
    _check_room(allocation, used, hours)
    entry = TimeEntry(allocation=allocation, agent_id=agent.id, day=day, hours=hours, note=note.strip())
    session.add(entry)
    session.flush()
    return entry, crossed_warning(allocation, used, used + hours)


def can_change(entry, agent, today=None):
    """Agents change or delete their own entries of the current month only."""
    today = today or local_today()
    return entry.agent_id == agent.id and (entry.day.year, entry.day.month) == (today.year, today.month)


def update_entry(entry, agent, day, hours, note="", today=None):
    """Change one of the agent's entries of the current month; the same rules as logging apply."""
    today = today or local_today()
    if not can_change(entry, agent, today):
        raise Refusal(_("Only your own entries of the current month can be changed."))
    if (day.year, day.month) != (today.year, today.month):
        raise Refusal(_("Move an entry within the current month only."), "day")
    allocation = lock_allocation(entry.allocation_id)
    _check_entry(allocation, day, hours, today)
    _check_day(agent, day, hours, entry)
    used = _used_apart_from(allocation, entry)
    _check_room(allocation, used, hours)
    before = used + entry.hours
    entry.day, entry.hours, entry.note = day, hours, note.strip()
    return crossed_warning(allocation, before, used + hours)


def delete_entry(entry, agent, today=None):
    """Delete one of the agent's entries of the current month."""
    if not can_change(entry, agent, today):
        raise Refusal(_("Only your own entries of the current month can be deleted."))
    lock_allocation(entry.allocation_id)
    session.delete(entry)


def request_extension(allocation, agent, extra_hours, new_end_date, note=""):
    """Ask the manager for more hours, a later end, or both; they decide as on a new request."""
    if allocation.agent_id != agent.id:
        raise Refusal(_("This allocation is not yours."))
    allocation = lock_allocation(allocation.id)
    extra_hours = extra_hours or Decimal(0)
    if not allocation.is_running:
        raise Refusal(_("This allocation has ended with your sign-up: it cannot be extended."))
    if new_end_date is not None and not allocation.end_date < new_end_date <= allocation.end_date + LONGEST_EXTENSION:
        raise Refusal(_("Choose an end after the current one, %(end)s, and at most a year later.",
                        end=format_day(allocation.end_date)), "new_end_date")
    ceiling = to_quarter_hours(working_hours(agent.quotity, allocation.start_date, new_end_date or allocation.end_date)
                               - allocation.hours)
    if not 0 <= extra_hours <= max(ceiling, 0):
        raise Refusal(_("Ask for at most %(hours)s more hours: with them you would give all your working "
                        "time over the period.", hours=format_decimal(max(ceiling, 0))), "extra_hours")
    if not is_quarter(extra_hours):
        raise Refusal(_("Use quarters of an hour: 1; 1,25; 1,5; 1,75…"), "extra_hours")
    if not extra_hours and new_end_date is None:
        raise Refusal(_("Ask for more hours, a later end, or both."), "extra_hours")
    pending = session.execute(select(Extension.id).where(Extension.allocation_id == allocation.id,
                                                         Extension.status == ExtensionStatus.PENDING)).first()
    if pending is not None:
        raise Refusal(_("An extension of this allocation already waits for your manager's decision."))
    extension = Extension(allocation=allocation, extra_hours=extra_hours, new_end_date=new_end_date,
                          note=note.strip())
    session.add(extension)
    session.flush()
    record("allocation.extension_requested", actor=agent, obj=extension, allocation_id=allocation.id,
           extra_hours=str(extra_hours), new_end_date=new_end_date.isoformat() if new_end_date else None)
    for approver in approvers_of(agent):
        ask_for_decision(approver, "extension_request", allocation.signup, "extension", extension,
                         allocation=allocation, call=allocation.signup.call)
    ask_deputies(allocation.signup, "extension_request", "extension", extension, allocation=allocation,
                 call=allocation.signup.call)
    return extension
