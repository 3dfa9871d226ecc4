"""Writing, publishing, closing and archiving calls; building their questions."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.operations import record
from ..clock import utcnow
from ..database import session
from ..refusals import Refusal
from ..signups.models import Answer
from ..signups.operations import promote_from_waitlist
from .models import Call, CallStatus, Question
from .queries import lock_call

EDITABLE_FIELDS = ("title", "summary", "body", "capacity", "deadline", "audience_all", "commitment_kind",
                   "commitment_value", "start_date", "end_date", "needs_manager_agreement", "contact")


def _comparable(value):
    """A value as the audit log stores it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def create_call(author, audience_units=(), **fields):
    """A new draft call."""
    call = Call(created_by=author, status=CallStatus.DRAFT, held_places=0, **fields)
    call.audience_units = list(audience_units)
    session.add(call)
    session.flush()
    record("call.created", actor=author, obj=call, title=call.title)
    return call


def update_call(call, editor, audience_units=(), **fields):
    """Change a call; the audit log keeps each changed field, before and after.

    Lowering the capacity below the places already held is refused; raising it gives the
    new places to the waitlist at once.
    """
    call = lock_call(call.id)
    capacity = fields.get("capacity", call.capacity)
    if capacity is not None and capacity < call.held_places:
        raise Refusal(_("%(held)d places are already held: the capacity cannot go below that.",
                        held=call.held_places), "capacity")
    changes = {}
    for name in EDITABLE_FIELDS:
        if name in fields and _comparable(getattr(call, name)) != _comparable(fields[name]):
            changes[name] = [_comparable(getattr(call, name)), _comparable(fields[name])]
            setattr(call, name, fields[name])
    units = sorted(unit.path for unit in audience_units)
    if sorted(unit.path for unit in call.audience_units) != units:
        changes["audience_units"] = [sorted(unit.path for unit in call.audience_units), units]
        call.audience_units = list(audience_units)
    if changes:
        session.flush()
        record("call.updated", actor=editor, obj=call, changes=changes)
        promote_from_waitlist(call)
    return changes


def publish(call, editor):
    """Put a draft (or a call closed by hand) on the intranet; its deadline must be ahead."""
    if call.status not in (CallStatus.DRAFT, CallStatus.CLOSED):
        raise Refusal(_("Only a draft or a closed call can be published."))
    if call.deadline_passed():
        raise Refusal(_("The deadline has passed: move it later before publishing."))
    call.status = CallStatus.PUBLISHED
    call.published_at = call.published_at or utcnow()
    record("call.published", actor=editor, obj=call)
    promote_from_waitlist(lock_call(call.id))


def close(call, editor=None, reason="by hand"):
    """Stop sign-ups (by hand, or at the deadline by the nightly command)."""
    if call.status != CallStatus.PUBLISHED:
        raise Refusal(_("Only a published call can be closed."))
    call.status = CallStatus.CLOSED
    call.closed_at = utcnow()
    record("call.closed", actor=editor, obj=call, reason=reason)


def archive(call, editor):
    """File a closed call away; it leaves every list but the lab's archives."""
    if call.status not in (CallStatus.CLOSED, CallStatus.DRAFT):
        raise Refusal(_("Close the call before archiving it."))
    call.status = CallStatus.ARCHIVED
    record("call.archived", actor=editor, obj=call)


def close_expired(now=None):
    """Close every published call whose deadline has passed; returns them."""
    now = now or utcnow()
    expired = session.execute(select(Call).where(Call.status == CallStatus.PUBLISHED, Call.deadline <= now)
                              ).scalars().all()
    for call in expired:
        close(call, reason="deadline")
    return expired


def add_question(call, editor, **fields):
    """Append a question to the call's form."""
    position = max((question.position for question in call.questions), default=0) + 1
    question = Question(call=call, position=position, **fields)
    session.add(question)
    session.flush()
    record("call.question_added", actor=editor, obj=call, question_id=question.id, label=question.label)
    return question


def update_question(question, editor, **fields):
    """Change a question; answers already given keep the label they were given under. Returns the changes."""
    changes = {name: [_comparable(getattr(question, name)), _comparable(value)] for name, value in fields.items()
               if _comparable(getattr(question, name)) != _comparable(value)}
    for name, value in fields.items():
        setattr(question, name, value)
    if changes:
        record("call.question_updated", actor=editor, obj=question.call, question_id=question.id, changes=changes)
    return changes


def move_question(question, editor, direction):
    """Swap the question with its neighbour above (-1) or below (+1)."""
    visible = question.call.active_questions
    index = visible.index(question)
    other_index = index + direction
    if not 0 <= other_index < len(visible):
        return False
    other = visible[other_index]
    question.position, other.position = other.position, question.position
    record("call.question_moved", actor=editor, obj=question.call, question_id=question.id, direction=direction)
    return True


def remove_question(question, editor):
    """Remove a question; once answered it is only hidden, so the answers keep their label and meaning."""
    answered = session.execute(select(Answer.id).where(Answer.question_id == question.id).limit(1)).first()
    if answered:
        question.removed = True
    else:
        session.delete(question)
    record("call.question_removed", actor=editor, obj=question.call, question_id=question.id,
           label=question.label, kept_for_answers=bool(answered))
