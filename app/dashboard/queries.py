"""The lab's dashboard figures over a year: sign-ups per call and status, time agreed and used per month, and
how managers decide. Figures count rows that the retention purge keeps, so a purge changes none of them."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Numeric, func, select, type_coerce

from ..approvals.models import Decision, DecisionKind, DecisionOutcome
from ..budgets.models import Allocation
from ..budgets.queries import hours_falling_between, monthly_use
from ..calls.models import Call, CallStatus
from ..clock import local_midnight, local_today, utcnow
from ..database import seconds_between, session
from ..signups.models import SignUp, SignUpStatus


@dataclass
class CallFigures:
    """Sign-ups of one call, counted per status."""

    title: str
    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())


def signups_per_call(year):
    """Calls whose period touches the year, each with its sign-ups per status, most sign-ups first."""
    rows = session.execute(
        select(Call.id, Call.title, SignUp.status, func.count(SignUp.id)).join(SignUp, SignUp.call_id == Call.id)
        .where(Call.start_date <= date(year, 12, 31), Call.end_date >= date(year, 1, 1))
        .group_by(Call.id, Call.title, SignUp.status))
    calls = {}
    for call_id, title, status, count in rows:
        calls.setdefault(call_id, CallFigures(title, dict.fromkeys(SignUpStatus, 0))).counts[status] = count
    return sorted(calls.values(), key=lambda figures: (-figures.total, figures.title))


def hours_per_month(year):
    """[(first day of the month, hours agreed, hours used)] for the 12 months: the hours agreed spread evenly
    over each allocation's days, the hours used as logged (two queries, summed by the database)."""
    firsts = [date(year, number, 1) for number in range(1, 13)]
    lasts = [day - timedelta(days=1) for day in firsts[1:]] + [date(year, 12, 31)]
    agreed = session.execute(
        select(*(type_coerce(func.coalesce(func.sum(hours_falling_between(first, last)), 0), Numeric(14, 4))
                 for first, last in zip(firsts, lasts)))
        .where(Allocation.start_date <= date(year, 12, 31), Allocation.end_date >= date(year, 1, 1))).one()
    return [(month, Decimal(hours).quantize(Decimal("0.01")), used)
            for (month, used), hours in zip(monthly_use(year), agreed)]


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
    the moment the manager was asked (not the time on a waiting list) to the decision, in days (two queries, or
    three to read the middle of the waits in order)."""
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
