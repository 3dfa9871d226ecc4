"""Checking passwords and recording sign-ins."""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.operations import record
from ..database import session
from ..directory.models import User

# Checked when the login is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(login, password):
    """The active user with this login and password, or None; both outcomes go to the audit log."""
    user = find_user(login)
    # One hash check whatever the account's state, so timing tells nothing about it.
    password_ok = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
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
