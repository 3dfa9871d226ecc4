"""Reading calls: what an agent may answer, what the lab manages."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, null, or_, select
from sqlalchemy.orm import defer, selectinload

from ..clock import utcnow
from ..database import count_rows, session
from ..directory.models import OrgUnit
from ..signups.models import SignUp, SignUpStatus
from ..text import folded
from .models import Call, CallStatus


def lock_call(call_id, shared=False):
    """The call, locked until the end of the transaction: decisions on its places happen one at a time. A `shared`
    lock is held by many at once (sign-ups joining a waiting list) but waits for, and holds back, the one of a
    decision on places."""
    query = (select(Call).where(Call.id == call_id).with_for_update(read=shared)
             .execution_options(populate_existing=True))
    return session.execute(query).scalar_one()  # populate_existing: the locked row's values, not a stale copy


def read_call(call_id):
    """The call as it stands now, not locked (the row, not a copy the session already holds)."""
    query = select(Call).where(Call.id == call_id).execution_options(populate_existing=True)
    return session.execute(query).scalar_one()


def unit_and_ancestor_keys(unit):
    """Path keys of the unit and every unit above it (no query: they are the prefixes of its path)."""
    if unit is None:
        return []
    segments = unit.path.split("/")
    return [folded("/".join(segments[: size])) for size in range(1, len(segments) + 1)]


def open_calls_for(agent, q="", kind=""):
    """Published calls before their deadline meant for the agent (for nobody signed in: those open to everyone),
    soonest deadline first; without their description (a list shows their summary), read when asked."""
    audience = Call.audience_all.is_(True)
    if agent is not None:
        audience = or_(audience, Call.audience_units.any(OrgUnit.path_key.in_(unit_and_ancestor_keys(agent.org_unit))))
    query = (select(Call).where(Call.status == CallStatus.PUBLISHED, Call.deadline > utcnow()).where(audience)
             .options(defer(Call.body), defer(Call.search_text)).order_by(Call.deadline, Call.id))
    if q:
        query = query.where(Call.search_text.contains(folded(q.strip()), autoescape=True))
    if kind:
        query = query.where(Call.commitment_kind == kind)
    return query


class OpenCallsPage(Pagination):
    """A page of the open calls meant for an agent, with the agent's live sign-up to each (`statuses`, {call id:
    status}) and their total, read in one query (a page past the last one counts them apart)."""

    def _query_items(self):
        agent, query = self._query_args["agent"], self._query_args["query"]
        mine = (select(SignUp.status).where(SignUp.call_id == Call.id, SignUp.agent_id == agent.id,
                                            SignUp.status.in_(SignUpStatus.LIVE)).scalar_subquery()
                if agent is not None else null())
        rows = session.execute(query.add_columns(mine, func.count().over()).limit(self.per_page)
                               .offset(self._query_offset)).all()
        self._total = rows[0][2] if rows else None
        self.statuses = {call.id: status for call, status, _ in rows if status is not None}
        return [call for call, *_ in rows]

    def _query_count(self):
        return self._total if self._total is not None else count_rows(self._query_args["query"])


def open_calls_page(agent, page, per_page, q="", kind=""):
    """One page of `open_calls_for`, with the agent's live sign-ups to its calls (see OpenCallsPage)."""
    return OpenCallsPage(page=page, per_page=per_page, max_per_page=None, error_out=False, count=True,
                         query=open_calls_for(agent, q, kind), agent=agent)


def live_statuses_of(agent, calls):
    """{call id: status} of the agent's live sign-ups among `calls`."""
    ids = [call.id for call in calls]
    rows = session.execute(select(SignUp.call_id, SignUp.status).where(
        SignUp.agent_id == agent.id, SignUp.call_id.in_(ids), SignUp.status.in_(SignUpStatus.LIVE)))
    return dict(rows.all())


def calls_for_lab(status=""):
    """Every call, newest first, for the lab's list (archives only when asked)."""
    query = select(Call).order_by(Call.created_at.desc(), Call.id.desc())
    if status:
        return query.where(Call.status == status)
    return query.where(Call.status != CallStatus.ARCHIVED)


def status_counts(call_ids):
    """{call id: {status: count}} of sign-ups, in one query."""
    counts = {call_id: {} for call_id in call_ids}
    rows = session.execute(select(SignUp.call_id, SignUp.status, func.count(SignUp.id))
                           .where(SignUp.call_id.in_(call_ids)).group_by(SignUp.call_id, SignUp.status))
    for call_id, status, count in rows:
        counts[call_id][status] = count
    return counts


def get_call(call_id):
    """A call, or None (its questions and audience read if asked for)."""
    return session.get(Call, call_id)


def get_call_with_questions(call_id):
    """A call with its questions and audience loaded, or None."""
    return session.execute(select(Call).where(Call.id == call_id).options(
        selectinload(Call.questions), selectinload(Call.audience_units))).scalar_one_or_none()
