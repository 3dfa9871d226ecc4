"""The letters, attestations and agents a recognition page names, for the person asking (any other is a 404)."""

from flask import abort

from ..auth.identity import current_agent
from ..database import get_or_404
from ..directory.models import User
from .models import Attestation, Testimonial, ThankYouLetter


def get_own_letter(letter_id):
    """A thank-you letter the signed-in agent received."""
    letter = get_or_404(ThankYouLetter, letter_id)
    if letter.agent_id != current_agent().id:
        abort(404)
    return letter


def get_letter_for_reader(letter_id):
    """A thank-you letter the signed-in person may read: its agent, the lab, or the manager the agent sent it to."""
    letter = get_or_404(ThankYouLetter, letter_id)
    reader = current_agent()
    if not (letter.agent_id == reader.id or reader.has_role("lab") or letter.forwarded_to_id == reader.id):
        abort(404)
    return letter


def get_agent_for_lab(user_id):
    """An agent of the directory, for the lab's recognition page."""
    return get_or_404(User, user_id)


def get_attestation_for_lab(attestation_id):
    """An attestation, for the lab to revoke."""
    return get_or_404(Attestation, attestation_id)


def get_own_testimonial(testimonial_id):
    """A testimonial on the signed-in agent."""
    testimonial = get_or_404(Testimonial, testimonial_id)
    if testimonial.agent_id != current_agent().id:
        abort(404)
    return testimonial
