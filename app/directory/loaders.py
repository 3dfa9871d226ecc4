"""The people a request names, loaded for the admin asking (404 when there is none)."""

from ..database import get_or_404
from .models import User


def get_user_for_admin(user_id):
    """Any user, for the admin pages."""
    return get_or_404(User, user_id)
