"""What budgets hold: hours used per allocation, pace, the year's use, and totals per team and directorate."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Numeric, case, distinct, extract, func, select, type_coerce
from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..database import days_between, earliest, latest, session
from ..directory.models import OrgUnit, User
from ..signups.models import SignUp, SignUpStatus
from .models import Allocation, Extension, ExtensionStatus, TimeEntry
from .working_time import period_days, to_quarter_hours

WARNING_SHARE = Decimal("0.8")


@dataclass
class Budget:
    """An allocation with what was used of it."""

    allocation: Allocation
    used: Decimal
    today: date

    @property
    def remaining(self):
        return max(Decimal(0), self.allocation.hours - self.used)

    @property
    def share(self):
        """Used hours as a fraction of the allocated hours."""
        return self.used / self.allocation.hours

    @property
    def level(self):
        """'full' at 100 %, 'warning' from 80 %, else 'ok'."""
        if self.share >= 1:
            return "full"
        return "warning" if self.share >= WARNING_SHARE else "ok"

    @property
    def pace(self):
        """What steady use since the start would have consumed by today, in quarter hours."""
        return pace_on(self.allocation, self.today)


def pace_on(allocation, day):
    """Hours a steady use of the allocation reaches on `day`."""
    if day < allocation.start_date:
        return Decimal(0)
    elapsed = period_days(allocation.start_date, min(day, allocation.end_date))
    return to_quarter_hours(allocation.hours * elapsed / period_days(allocation.start_date, allocation.end_date))


def used_hours(allocation_ids, year=None):
    """{allocation id: hours logged}, in `year` only if given (one query)."""
    query = (select(TimeEntry.allocation_id, func.sum(TimeEntry.hours))
             .where(TimeEntry.allocation_id.in_(allocation_ids)).group_by(TimeEntry.allocation_id))
    if year is not None:
        query = query.where(TimeEntry.day.between(date(year, 1, 1), date(year, 12, 31)))
    return {allocation_id: Decimal(hours) for allocation_id, hours in session.execute(query)}


def hours_between(hours, start, end, first, last):
    """The share of `hours` spread evenly over start…end that falls between `first` and `last` (unrounded)."""
    first, last = max(start, first), min(end, last)
    if first > last:
        return Decimal(0)
    return Decimal(hours) * period_days(first, last) / period_days(start, end)


def hours_falling_between(first, last, allocation=Allocation):
    """SQL: the share of an allocation's hours, spread evenly over its days, that falls between the dates `first`
    and `last` (0 when the periods do not meet), unrounded; `hours_between` in the database. `allocation`: what
    has the columns `hours`, `start_date` and `end_date` (the table by default)."""
    overlap = days_between(latest(allocation.start_date, first), earliest(allocation.end_date, last)) + 1
    period = days_between(allocation.start_date, allocation.end_date) + 1
    return case((overlap > 0, allocation.hours * overlap / period), else_=0)


def allocations_per_period(year):
    """SQL: the hours of the allocations touching the year summed per period, as a subquery with the columns
    `hours`, `start_date` and `end_date`: most allocations take their call's period, so the hours are spread over
    the days once per period, not once per allocation."""
    return (select(func.sum(Allocation.hours).label("hours"), Allocation.start_date, Allocation.end_date)
            .where(_overlapping(year)).group_by(Allocation.start_date, Allocation.end_date).subquery())


def hours_in_year(allocation, year):
    """The allocation's hours that fall in `year`, spread evenly over its days."""
    return hours_between(allocation.hours, allocation.start_date, allocation.end_date, date(year, 1, 1),
                         date(year, 12, 31)).quantize(Decimal("0.01"))


def budgets(allocations, today=None):
    """Budgets of these allocations (one query for the hours used)."""
    today = today or local_today()
    used = used_hours([allocation.id for allocation in allocations])
    return [Budget(allocation, used.get(allocation.id, Decimal(0)), today) for allocation in allocations]


def _overlapping(year):
    """Allocations whose period touches the year."""
    return (Allocation.start_date <= date(year, 12, 31)) & (Allocation.end_date >= date(year, 1, 1))


def allocations_of(agent, year):
    """The agent's allocations touching the year, with their call, soonest first."""
    return session.execute(select(Allocation).where(Allocation.agent_id == agent.id, _overlapping(year))
                           .options(selectinload(Allocation.signup).selectinload(SignUp.call))
                           .order_by(Allocation.start_date, Allocation.id)).scalars().all()


def monthly_use(year, agent=None):
    """Hours logged in each month of the year, by the agent or by everyone: [(first day of the month, hours)]
    for the 12 months."""
    month = extract("month", TimeEntry.day)
    query = (select(month, func.sum(TimeEntry.hours))
             .where(TimeEntry.day.between(date(year, 1, 1), date(year, 12, 31))).group_by(month))
    if agent is not None:
        query = query.where(TimeEntry.agent_id == agent.id)
    rows = session.execute(query)
    use = {int(number): hours for number, hours in rows}
    return [(date(year, number, 1), Decimal(use.get(number, 0))) for number in range(1, 13)]


def entries_of(allocations):
    """Time entries of these allocations, newest first (a query to paginate or read whole)."""
    return (select(TimeEntry).where(TimeEntry.allocation_id.in_([a.id for a in allocations]))
            .order_by(TimeEntry.day.desc(), TimeEntry.id.desc()))


def daily_use(allocation):
    """[(day, hours logged that day)] of an allocation, oldest first."""
    return session.execute(select(TimeEntry.day, func.sum(TimeEntry.hours))
                           .where(TimeEntry.allocation_id == allocation.id)
                           .group_by(TimeEntry.day).order_by(TimeEntry.day)).tuples().all()


def pending_extensions(allocation_ids):
    """{allocation id: its pending extension request}."""
    rows = session.execute(select(Extension).where(Extension.allocation_id.in_(allocation_ids),
                                                   Extension.status == ExtensionStatus.PENDING)).scalars()
    return {extension.allocation_id: extension for extension in rows}


def used_up_budgets(year, today=None):
    """Budgets of the running allocations touching the year whose hours are all used, or more: the most used
    first (one query, and one each for their agents and calls)."""
    used = (select(TimeEntry.allocation_id, func.sum(TimeEntry.hours).label("hours"))
            .group_by(TimeEntry.allocation_id).subquery())
    rows = session.execute(
        select(Allocation, used.c.hours).join(used, used.c.allocation_id == Allocation.id).join(Allocation.signup)
        .where(_overlapping(year), SignUp.status == SignUpStatus.APPROVED, used.c.hours >= Allocation.hours)
        .options(selectinload(Allocation.agent), selectinload(Allocation.signup).selectinload(SignUp.call))
        .order_by((used.c.hours / Allocation.hours).desc(), Allocation.id)).all()
    return [Budget(allocation, Decimal(hours), today or local_today()) for allocation, hours in rows]


def team_budgets(members, year):
    """{member id: [budgets of their allocations touching the year]} (four queries)."""
    allocations = session.execute(
        select(Allocation).where(Allocation.agent_id.in_([member.id for member in members]), _overlapping(year))
        .options(selectinload(Allocation.signup).selectinload(SignUp.call))
        .order_by(Allocation.start_date, Allocation.id)).scalars().all()
    by_member = {member.id: [] for member in members}
    for budget in budgets(allocations):
        by_member[budget.allocation.agent_id].append(budget)
    return by_member


@dataclass
class DirectorateFigures:
    """Agents mobilised, hours allocated and used in one directorate over a year."""

    name: str
    agents: int
    allocated: Decimal
    used: Decimal


def directorate_of(path):
    """The directorate of an org unit path: its second level (DGS/Direction …), or the root itself."""
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def logged_per_unit_and_month(year):
    """{(org unit id of the agent, month number): hours logged}, over the year (one query)."""
    month = extract("month", TimeEntry.day)
    rows = session.execute(select(User.org_unit_id, month, func.sum(TimeEntry.hours))
                           .join(User, User.id == TimeEntry.agent_id)
                           .where(TimeEntry.day.between(date(year, 1, 1), date(year, 12, 31)))
                           .group_by(User.org_unit_id, month))
    return {(unit_id, int(number)): Decimal(hours) for unit_id, number, hours in rows}


def overview_by_directorate(year, logged=None):
    """Figures per directorate over the year, most hours allocated first: agents with an allocation running in the
    year, the hours agreed that fall in the year (spread evenly over each allocation), the hours logged in the year
    (time is logged within its allocation's period, so that of allocations touching the year); `logged`: what
    `logged_per_unit_and_month` answers, if read already. Three queries at most, summed per org unit by the
    database, then per directorate here."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    allocated = session.execute(
        select(User.org_unit_id, func.count(distinct(Allocation.agent_id)),
               type_coerce(func.sum(hours_falling_between(first, last)), Numeric(14, 4)))
        .join(Allocation.agent).where(_overlapping(year)).group_by(User.org_unit_id)).all()
    used = {}
    for (unit_id, _month), hours in (logged_per_unit_and_month(year) if logged is None else logged).items():
        used[unit_id] = used.get(unit_id, Decimal(0)) + hours
    paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path)
                                 .where(OrgUnit.id.in_([unit_id for unit_id, *_ in allocated]))).all())
    figures = {}
    for unit_id, agents, hours in allocated:
        name = directorate_of(paths[unit_id]) if unit_id is not None else _("No org unit")
        entry = figures.setdefault(name, DirectorateFigures(name, 0, Decimal(0), Decimal(0)))
        entry.agents += agents  # an agent belongs to one org unit, so to one directorate
        entry.allocated += Decimal(hours)
        entry.used += used.get(unit_id, Decimal(0))
    for entry in figures.values():
        entry.allocated = entry.allocated.quantize(Decimal("0.01"))
    return sorted(figures.values(), key=lambda figure: (-figure.allocated, figure.name))
