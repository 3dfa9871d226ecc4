"""Creating, revoking and checking personal API tokens. A token is shown once; only its hash is kept."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.operations import record
from ..clock import utcnow
from ..database import session
from ..hashing import secret_hash
from ..refusals import Refusal
from .models import ApiToken

TOKEN_START = "allies_"
PREFIX_LENGTH = len(TOKEN_START) + 8  # "allies_" and 8 random characters: enough to tell tokens apart
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_PRECISION = timedelta(minutes=5)


def create_token(user, name, actor=None):
    """A new token for `user`: returns (the stored row, the token in clear, to show once and never again).

    `actor` is who asked (the agent on their page; None for the command line, recorded as system).
    """
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Refusal(_("Give the token a name of at most 100 characters."), "name")
    if not user.active:
        raise Refusal(_("This account is deactivated: it cannot have tokens."), "name")
    active = session.execute(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalar_one()
    if active >= MAX_ACTIVE_TOKENS:
        raise Refusal(_("You already have %(count)d tokens: revoke one you no longer use first.",
                        count=MAX_ACTIVE_TOKENS), "name")
    clear = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=secret_hash(clear), prefix=clear[:PREFIX_LENGTH],
                     created_at=utcnow())
    session.add(token)
    session.flush()
    record("api.token_created", actor=actor, obj=user, token_id=token.id, name=name, prefix=token.prefix)
    return token, clear


def revoke_token(token, actor=None):
    """Stop a token from opening the API, now and for good."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record("api.token_revoked", actor=actor, obj=token.user, token_id=token.id, name=token.name,
           prefix=token.prefix)
    return True


def active_token(clear):
    """The token row of `clear` when it may open the API (not revoked, its owner active), else None.

    The first use in a while is noted (last_used_at) on a connection of its own, so the request's transaction
    (a host's pending writes included) stays as it is.
    """
    if not clear or not clear.startswith(TOKEN_START) or len(clear) > 200:
        return None
    token = session.execute(select(ApiToken).where(ApiToken.token_hash == secret_hash(clear))
                            .options(joinedload(ApiToken.user))).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        with current_app.extensions["allies"].db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        set_committed_value(token, "last_used_at", now)
    return token
