"""The sign-ups a request names, loaded for the person asking: pages and API alike (404 when not theirs)."""

from flask import abort

from ..auth.identity import current_agent
from ..database import get_or_404
from .models import SignUp


def get_own_signup(signup_id):
    """A sign-up of the signed-in agent; someone else's is a 404 (its existence is not revealed)."""
    signup = get_or_404(SignUp, signup_id)
    if signup.agent_id != current_agent().id:
        abort(404)
    return signup


def get_signup_for_lab(signup_id):
    """Any sign-up, for the lab, else 404."""
    return get_or_404(SignUp, signup_id)
