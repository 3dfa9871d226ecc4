"""The tokens a request names, loaded for their owner (anyone else's is a 404)."""

from flask import abort

from ..auth.identity import current_agent
from ..database import get_or_404
from .models import ApiToken


def get_own_live_token(token_id):
    """One of the signed-in agent's tokens not yet revoked."""
    token = get_or_404(ApiToken, token_id)
    if token.user_id != current_agent().id or token.revoked_at is not None:
        abort(404)
    return token
