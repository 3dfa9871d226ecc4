"""The calls a request names, loaded for the person asking: pages and API alike (404 when not theirs)."""

from flask import abort

from ..auth.identity import current_agent
from ..database import get_or_404
from .models import Question
from .queries import get_call, get_call_with_questions


def get_call_for_agent(call_id, with_questions=True):
    """A call the agent may read (published or closed, and meant for them), else 404; with its questions loaded
    unless the page does not show them."""
    call = get_call_with_questions(call_id) if with_questions else get_call(call_id)
    if call is None or not call.can_be_read_by(current_agent()):
        abort(404)
    return call


def get_call_for_lab(call_id):
    """Any call, for the lab, else 404."""
    return get_call_with_questions(call_id) or abort(404)


def get_question_for_lab(call_id, question_id):
    """A question of that call, else 404; 403 once the call's form can no longer change."""
    question = get_or_404(Question, question_id)
    if question.call_id != call_id or question.removed:
        abort(404)
    if not question.call.can_edit():
        abort(403)
    return question
