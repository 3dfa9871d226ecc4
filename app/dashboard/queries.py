"""The lab's dashboard figures over a year: sign-ups per call and status, time agreed and used per month, and
how managers decide. Figures count rows that the retention purge keeps, so a purge changes none of them."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, func, select, type_coerce

from ..approvals.models import Decision, DecisionKind, DecisionOutcome
from ..budgets.models import Allocation
from ..budgets.queries import (allocations_per_period, directorate_of, hours_falling_between,
                               logged_per_unit_and_month)
from ..calls.models import Call, CallStatus
from ..clock import local_midnight, local_today, utcnow
from ..database import seconds_between, session
from ..directory.models import OrgUnit, User
from ..signups.models import SignUp, SignUpStatus


BUSIEST_CALLS = 20  # calls the dashboard shows; the lab's list of calls has every one


@dataclass
class CallFigures:
    """Sign-ups of one call, counted per status."""

    title: str
    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())


def signups_per_call(year, limit=BUSIEST_CALLS):
    """The `limit` calls with the most sign-ups among those whose period touches the year, each with its sign-ups
    per status, most sign-ups first; and how many such calls have sign-ups (one query)."""
    statuses = list(SignUpStatus)
    rows = session.execute(
        select(Call.title, func.count(), func.count().over(),
               *(func.count().filter(SignUp.status == status) for status in statuses))
        .join(SignUp, SignUp.call_id == Call.id)
        .where(Call.start_date <= date(year, 12, 31), Call.end_date >= date(year, 1, 1))
        .group_by(Call.id, Call.title).order_by(func.count().desc(), Call.title, Call.id).limit(limit)).all()
    calls = [CallFigures(title, dict(zip(statuses, counts))) for title, _, _, *counts in rows]
    return calls, (rows[0][2] if rows else 0)


def hours_per_month(year, logged=None):
    """[(first day of the month, hours agreed, hours used)] for the 12 months: the hours agreed spread evenly
    over each allocation's days, the hours used as logged (`logged`: what `logged_per_unit_and_month` answers, if
    read already). Two queries at most, summed by the database."""
    firsts = [date(year, number, 1) for number in range(1, 13)]
    lasts = [day - timedelta(days=1) for day in firsts[1:]] + [date(year, 12, 31)]
    periods = allocations_per_period(year)
    agreed = session.execute(select(*(
        type_coerce(func.coalesce(func.sum(hours_falling_between(first, last, periods.c)), 0), Numeric(14, 4))
        for first, last in zip(firsts, lasts)))).one()
    used = dict.fromkeys(range(1, 13), Decimal(0))
    for (_unit, number), hours in (logged_per_unit_and_month(year) if logged is None else logged).items():
        used[number] += hours
    return [(month, Decimal(hours).quantize(Decimal("0.01")), used[month.month]) for month, hours in zip(firsts, agreed)]


@dataclass
class DecisionFigures:
    """How managers decided the requests of the year."""

    approved: int
    refused: int
    median_days: float | None

    @property
    def approval_rate(self):
        decided = self.approved + self.refused
        return self.approved / decided if decided else None


def manager_decisions(year):
    """Requests decided in the year (not extensions nor revisions): approved, refused, and the median time from
    the moment the manager was asked (not the time on a waiting list) to the decision, in days (one query, and one
    more to read the middle of the waits in order)."""
    decided = (select().select_from(Decision).join(SignUp, SignUp.id == Decision.signup_id)
               .where(Decision.kind == DecisionKind.REQUEST,
                      Decision.decided_at >= local_midnight(date(year, 1, 1)),
                      Decision.decided_at < local_midnight(date(year + 1, 1, 1))))
    counts = dict(session.execute(decided.add_columns(Decision.outcome, func.count()).group_by(Decision.outcome))
                  .all())
    total = sum(counts.values())
    median_days = None
    if total:
        wait = seconds_between(func.coalesce(SignUp.manager_asked_at, SignUp.submitted_at), Decision.decided_at)
        middle = session.execute(decided.add_columns(wait).order_by(wait).offset((total - 1) // 2)
                                 .limit(2 - total % 2)).scalars().all()
        median_days = round(sum(middle) / len(middle) / 86400, 1)
    return DecisionFigures(approved=counts.get(DecisionOutcome.APPROVED, 0),
                           refused=counts.get(DecisionOutcome.REFUSED, 0), median_days=median_days)


def year_that_matters(today=None):
    """The year the dashboard opens on: this year while it holds allocations or open calls, else the first year
    of the open calls' periods (calls published in December for the next year), else this year."""
    today = today or local_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    is_open = (Call.status == CallStatus.PUBLISHED) & (Call.deadline > utcnow())
    if session.execute(select(Allocation.id).where(Allocation.start_date <= last, Allocation.end_date >= first)
                       .limit(1)).first() is not None:
        return today.year
    if session.execute(select(Call.id).where(is_open, Call.start_date <= last, Call.end_date >= first)
                       .limit(1)).first() is not None:
        return today.year
    start = session.execute(select(func.min(Call.start_date)).where(is_open, Call.start_date > last)).scalar()
    return start.year if start is not None else today.year


# The civil-service categories the directory knows, in the order the dashboard shows them; None: not given.
CATEGORIES = ("A", "B", "C", "contractuel", None)
CATEGORY_TITLES = {"A": _l("Category A"), "B": _l("Category B"), "C": _l("Category C"),
                   "contractuel": _l("Contract staff"), None: _l("Category not given")}
SMALL_GROUP = 5  # fewer people than this are shown as « < 5 », so that no one is recognised


@dataclass
class CategoryFigures:
    """One civil-service category in a directorate (or everywhere) over a year: its active agents, those mobilised
    (an allocation touching the year), of them the first-timers and those who came back, and their hours agreed
    that fall in the year."""

    category: str | None
    headcount: int = 0
    mobilised: int = 0
    first_time: int = 0
    repeat: int = 0
    hours: Decimal = Decimal(0)
    # Its participation hidden in the directorates' table: a small group, or the cell hidden with one so that no
    # subtraction from the totals gives it back.
    hidden: bool = False

    def add(self, other):
        self.headcount += other.headcount
        self.mobilised += other.mobilised
        self.first_time += other.first_time
        self.repeat += other.repeat
        self.hours += other.hours

    @property
    def title(self):
        return CATEGORY_TITLES[self.category]

    @property
    def small(self):
        """Whether so few people were mobilised that their figures could point at someone (how many agents the
        group has says nothing of who took part: it stays shown)."""
        return 0 < self.mobilised < SMALL_GROUP

    @property
    def split_hidden(self):
        """Whether the first-timers and those who came back are not shown: either is a small group, and each
        would give the other away by subtraction."""
        return self.hidden or self.small or 0 < self.first_time < SMALL_GROUP or 0 < self.repeat < SMALL_GROUP


def participation_by_category(year):
    """({directorate: [CategoryFigures per category]}, [CategoryFigures per category everywhere]) over the year;
    one query summed per org unit and category by the database, then per directorate here."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    mobilised = (select(Allocation.agent_id, func.sum(hours_falling_between(first, last)).label("hours"))
                 .where(Allocation.start_date <= last, Allocation.end_date >= first)
                 .group_by(Allocation.agent_id).subquery())
    before = select(Allocation.agent_id).where(Allocation.start_date < first).distinct().subquery()
    came_back = before.c.agent_id.is_not(None) & mobilised.c.agent_id.is_not(None)
    rows = session.execute(
        select(OrgUnit.path, User.category, func.count(case((User.active.is_(True), 1))),
               func.count(mobilised.c.agent_id), func.count(case((came_back, 1))),
               type_coerce(func.coalesce(func.sum(mobilised.c.hours), 0), Numeric(14, 4)))
        .select_from(User).outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .outerjoin(mobilised, mobilised.c.agent_id == User.id).outerjoin(before, before.c.agent_id == User.id)
        .where(User.active.is_(True) | mobilised.c.agent_id.is_not(None))
        .group_by(OrgUnit.path, User.category)).all()
    by_directorate, overall = {}, {category: CategoryFigures(category) for category in CATEGORIES}
    for path, category, headcount, agents, repeat, hours in rows:
        category = category if category in CATEGORIES else None
        figures = CategoryFigures(category, headcount, agents, agents - repeat, repeat,
                                  Decimal(hours).quantize(Decimal("0.01")))
        name = directorate_of(path) if path else _("No org unit")
        directorate = by_directorate.setdefault(name, {key: CategoryFigures(key) for key in CATEGORIES})
        directorate[category].add(figures)
        overall[category].add(figures)
    _hide_small_groups(by_directorate.values())
    return ({name: list(categories.values()) for name, categories in sorted(by_directorate.items())},
            list(overall.values()))


def _hide_small_groups(directorates):
    """Hide each small group's cell; where a category has one hidden cell only, hide the next smallest too: the
    totals then give back no more than the sum of two hidden cells."""
    for category in CATEGORIES:
        cells = [figures[category] for figures in directorates if figures[category].headcount
                 or figures[category].mobilised]
        for cell in cells:
            cell.hidden = cell.small
        hidden = [cell for cell in cells if cell.hidden]
        shown = sorted((cell for cell in cells if not cell.hidden and cell.mobilised),
                       key=lambda cell: (cell.mobilised, cell.headcount))
        if len(hidden) == 1 and shown:
            shown[0].hidden = True
