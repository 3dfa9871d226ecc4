"""Checking passwords and recording sign-ins."""

from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.operations import record
from ..clock import utcnow
from ..database import session
from ..directory.models import User
from .models import Identity


@cache
def dummy_hash():
    """Checked when the login is unknown, so both failures take the same time; made at the first sign-in, not at
    each start of a process (a hash costs about 0.1 s of CPU)."""
    return generate_password_hash("not-a-real-password")


def authenticate(login, password):
    """The active user with this login and password, or None; both outcomes go to the audit log."""
    user = find_user(login)
    # One hash check whatever the account's state, so timing tells nothing about it.
    password_ok = check_password_hash(user.password_hash if user and user.password_hash else dummy_hash(), password)
    if user is not None and user.active and user.password_hash and password_ok:
        record("auth.sign_in", actor=user, obj=user)
        return user
    # What was typed is kept only when it names an account: it might be a password typed in the wrong field.
    record("auth.sign_in_failed", actor_label=user.login if user else "?", obj=user)
    return None


def find_user(login):
    """The user with this login (any case), or None."""
    return session.execute(select(User).where(User.login == login.strip().lower())).scalar_one_or_none()


def set_password(user, password, min_length):
    """Replace the user's password and end their sessions; raises ValueError if it is too short."""
    if len(password) < min_length:
        raise ValueError(min_length)
    user.set_password(password)
    user.end_sessions()
    record("auth.password_set", obj=user)


def agent_for_identity(source, subject, login):
    """The active agent a sign-on source vouches for, or None; both outcomes go to the audit log.

    The first sign-in through `source` links `subject` to the directory account `login`; later sign-ins
    find the agent by (source, subject) alone, so a renamed login keeps its agent. An account already
    linked to another subject of the same source is refused: one person, one identity per source.
    """
    linked = session.execute(
        select(Identity).where(Identity.source == source, Identity.subject == subject)
    ).scalar_one_or_none()
    if linked is None:
        user = find_user(login or "")
        taken = user is not None and session.execute(
            select(Identity.id).where(Identity.user_id == user.id, Identity.source == source)
        ).first()
        if user is not None and not taken:
            linked = Identity(source=source, subject=subject, user=user)
            session.add(linked)
            record("auth.identity_linked", actor=user, obj=user, source=source)
    user = linked.user if linked is not None else None
    if user is None or not user.active:
        record("auth.sign_in_failed", actor_label=user.login if user else "?", obj=user, source=source)
        return None
    linked.last_seen_at = utcnow()
    record("auth.sign_in", actor=user, obj=user, source=source)
    return user
