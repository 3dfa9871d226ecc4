"""What the home page tells each person: what needs them now, each figure in a bounded number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..approvals.queries import pending_extensions_for, pending_for
from ..audit.models import AuditEntry
from ..budgets.models import Allocation, TimeEntry
from ..budgets.queries import WARNING_SHARE, allocations_of, budgets
from ..calls.models import Call, CallStatus
from ..calls.queries import open_calls_for
from ..clock import local_midnight, local_today, utcnow
from ..database import all_rows, count_rows, session
from ..signups.models import SignUp

NEW_SIGNUP_DAYS = 7


@dataclass
class OpenCalls:
    """How many calls the agent may answer, and the soonest to close."""

    count: int
    soonest: list


def open_calls_of(agent, shown=3):
    """The calls open to the agent: their number and the `shown` soonest deadlines (two queries)."""
    query = open_calls_for(agent)
    return OpenCalls(count_rows(query), all_rows(query.limit(shown)))


@dataclass
class BudgetState:
    """The agent's allocations of the year, added up, and the worst level among them."""

    allocated: Decimal
    used: Decimal
    remaining: Decimal
    level: str


def budget_state(agent, year=None):
    """Allocated, used and remaining hours over the agent's allocations touching the year, or None without any."""
    found = budgets(allocations_of(agent, year or local_today().year))
    if not found:
        return None
    levels = {budget.level for budget in found}
    return BudgetState(allocated=sum((budget.allocation.hours for budget in found), Decimal(0)),
                       used=sum((budget.used for budget in found), Decimal(0)),
                       remaining=sum((budget.remaining for budget in found), Decimal(0)),
                       level="full" if "full" in levels else "warning" if "warning" in levels else "ok")


@dataclass
class Inbox:
    """Requests waiting for an approver: how many, and for how many days the oldest has waited."""

    requests: int
    extensions: int
    oldest_days: int | None

    @property
    def total(self):
        return self.requests + self.extensions


def inbox_of(approver, now=None):
    """The approver's waiting requests and extensions, and the oldest request's age in whole days."""
    requests = pending_for(approver)
    count = count_rows(requests)
    age = None
    if count:  # the oldest request's two dates only: its call and agent are not shown here
        oldest = session.execute(requests.with_only_columns(SignUp.manager_asked_at, SignUp.submitted_at,
                                                            maintain_column_froms=True).limit(1)).one()
        age = ((now or utcnow()) - (oldest.manager_asked_at or oldest.submitted_at)).days
    return Inbox(count, count_rows(pending_extensions_for(approver)), age)


@dataclass
class LabNews:
    """What the lab should look at: new sign-ups, calls closing soon, budgets nearly used up."""

    new_signups: int
    since: date
    closing: list
    budgets_past_warning: int


def lab_news(now=None, today=None):
    """Sign-ups sent in the last 7 days, published calls closing within 7 days, running allocations used at 80 %
    or more (three queries)."""
    now, today = now or utcnow(), today or local_today()
    since = today - timedelta(days=NEW_SIGNUP_DAYS)
    new = session.execute(select(func.count(SignUp.id)).where(SignUp.submitted_at >= local_midnight(since))
                          ).scalar_one()
    closing = all_rows(select(Call).where(Call.status == CallStatus.PUBLISHED, Call.deadline > now,
                                          Call.deadline <= now + timedelta(days=7)).order_by(Call.deadline, Call.id))
    used = (select(TimeEntry.allocation_id, func.sum(TimeEntry.hours).label("hours"))
            .group_by(TimeEntry.allocation_id).subquery())
    past = session.execute(select(func.count(Allocation.id)).join(used, used.c.allocation_id == Allocation.id)
                           .where(Allocation.end_date >= today, Allocation.hours > 0,
                                  used.c.hours >= Allocation.hours * WARNING_SHARE)).scalar_one()
    return LabNews(new, since, closing, past)


def last_directory_import():
    """The audit entry of the latest directory import, or None."""
    return session.execute(select(AuditEntry).where(AuditEntry.action == "directory.import")
                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
