"""The lab's dashboard figures over a year: sign-ups per call and status, time agreed and used per month, and
how managers decide. Figures count rows that the retention purge keeps, so a purge changes none of them."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from sqlalchemy import func, select

from ..approvals.models import Decision, DecisionKind, DecisionOutcome
from ..budgets.models import Allocation
from ..budgets.queries import hours_between, monthly_use
from ..calls.models import Call, CallStatus
from ..clock import local_midnight, local_today, utcnow
from ..database import session
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
    over each allocation's days, the hours used as logged."""
    allocations = session.execute(select(Allocation.hours, Allocation.start_date, Allocation.end_date).where(
        Allocation.start_date <= date(year, 12, 31), Allocation.end_date >= date(year, 1, 1))).all()
    months = []
    for month, used in monthly_use(year):
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        agreed = sum((hours_between(*allocation, month, last) for allocation in allocations), Decimal(0))
        months.append((month, agreed.quantize(Decimal("0.01")), used))
    return months


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
    the moment the manager was asked (not the time on a waiting list) to the decision, in days."""
    rows = session.execute(select(Decision.outcome, Decision.decided_at,
                                  func.coalesce(SignUp.manager_asked_at, SignUp.submitted_at))
                           .join(SignUp, SignUp.id == Decision.signup_id)
                           .where(Decision.kind == DecisionKind.REQUEST,
                                  Decision.decided_at >= local_midnight(date(year, 1, 1)),
                                  Decision.decided_at < local_midnight(date(year + 1, 1, 1)))).all()
    waits = [(decided - submitted).total_seconds() / 86400 for _, decided, submitted in rows]
    return DecisionFigures(approved=sum(1 for outcome, *_ in rows if outcome == DecisionOutcome.APPROVED),
                           refused=sum(1 for outcome, *_ in rows if outcome == DecisionOutcome.REFUSED),
                           median_days=round(median(waits), 1) if waits else None)


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
