"""Reading tokens: an agent's own, for their page and the command line."""

from sqlalchemy import select

from ..database import session
from .models import ApiToken


def tokens_of(user, include_revoked=False):
    """The agent's tokens, newest first (revoked ones only when asked)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(),
                                                                         ApiToken.id.desc())
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return session.execute(query).scalars().all()
