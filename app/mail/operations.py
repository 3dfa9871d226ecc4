"""Writing mails to the outbox in the caller's transaction, and sending them afterwards from a worker."""

import secrets
import smtplib
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import case, func, select

from ..clock import utcnow
from ..database import session
from ..directory.models import User
from ..hashing import secret_hash
from .backends import build_email, get_backend
from .models import LinkToken, MailPreference, OutboxMessage

FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=6)
SUBJECT_LENGTH = 255
ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # what Flask's url_for leaves unquoted in an anchor


class SendSummary(NamedTuple):
    """What one sending pass did: sent, failed but kept for a retry, failed for the last time."""

    sent: int
    failed_now: int
    gave_up: int


class OutboxCounts(NamedTuple):
    """The outbox at a glance; `retrying` counts the waiting messages that already failed once or more."""

    waiting: int
    retrying: int
    sent: int
    given_up: int


def external_url(endpoint, **values):
    """An absolute URL for a link in a mail, always under ALLIES_BASE_URL: never the host a request claims to be for."""
    base = urlsplit(current_app.config["ALLIES_BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise RuntimeError("ALLIES_BASE_URL must be an absolute URL, e.g. https://intranet.example/allies.")
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url = f"{url}#{quote(anchor, safe=ANCHOR_SAFE)}"
    return url


@contextmanager
def _nobody_signed_in_outside_a_request():
    """Outside a request (CLI, worker) the shared template context must see no agent, not look for one."""
    if has_request_context() or "allies_agent" in g:
        yield
        return
    g.allies_agent = None
    try:
        yield
    finally:
        g.pop("allies_agent", None)


def queue_mail(recipient, template, link_tokens=(), **context):
    """Render `allies/mail/<template>.*` in the recipient's language and add it to the outbox (written with the transaction).

    `recipient` is a User, or a bare address for someone outside the directory (default language).
    The templates get `recipient` (the User or None), `external_url` and `context`. For each of `link_tokens` (see
    `new_link_token`), the worker puts a fresh secret where the bodies hold the token's slot as it sends the mail.
    """
    user = recipient if isinstance(recipient, User) else None
    address = user.email if user is not None else recipient
    message = _outbox_message(user, address, _render(template, _locale_of(user), recipient=user, **context))
    message.link_tokens = list(link_tokens)
    return message


def new_link_token(number=1):
    """The `number`-th link secret of a mail, to be minted when the mail is sent; its `slot` goes in the link."""
    token = LinkToken(slot=f"link-token-slot-{number}")
    session.add(token)
    return token


def _mint(token):
    """A fresh secret of 256 random bits for the token, of which only the hash is kept; a mail sent again after a
    failure gets a new one, and the secret of the attempt before stops working."""
    secret = secrets.token_urlsafe(32)
    token.token_hash = secret_hash(secret)
    token.minted_at = utcnow()
    return secret


def queue_mail_to_each(recipients, template, **context):
    """The same mail to several users, rendered once per language (its templates do not name the recipient)."""
    rendered = {}
    for user in recipients:
        locale = _locale_of(user)
        if locale not in rendered:
            rendered[locale] = _render(template, locale, recipient=None, **context)
        _outbox_message(user, user.email, rendered[locale])


def _locale_of(user):
    """The language mails to this user are written in."""
    config = current_app.config
    if user is not None and user.locale in config["ALLIES_LOCALES"]:
        return user.locale
    return config["ALLIES_DEFAULT_LOCALE"]


def _render(template, locale, **context):
    """(subject, text, HTML) of `allies/mail/<template>.*` in `locale`."""
    context = {"external_url": external_url, **context}
    name = f"allies/mail/{template}"
    with force_locale(locale), _nobody_signed_in_outside_a_request():
        return (" ".join(render_template(f"{name}.subject.txt", **context).split())[:SUBJECT_LENGTH],
                render_template(f"{name}.txt", **context), render_template(f"{name}.html", **context))


def _outbox_message(user, address, rendered):
    """Add one rendered mail to the outbox."""
    subject, body_text, body_html = rendered
    now = utcnow()
    message = OutboxMessage(recipient=user, to_address=address, subject=subject, body_text=body_text,
                            body_html=body_html, created_at=now, next_attempt_at=now, attempts=0)
    session.add(message)
    return message


def prefers_weekly_digest(user):
    """Whether the user chose a Monday digest of their requests rather than a mail per request."""
    preference = session.get(MailPreference, user.id)
    return preference is not None and preference.weekly_digest


def mail_preference(user):
    """The user's mail preference, added with the defaults (a notice per sign-up) when they have none yet."""
    preference = session.get(MailPreference, user.id)
    if preference is None:
        preference = MailPreference(user_id=user.id, daily_digest=False)
        session.add(preference)
        session.flush()
    return preference


def retry_delay(attempts):
    """The wait after the `attempts`-th failure: 1 minute, doubling each time, at most 6 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 20), MAX_RETRY_DELAY)


def describe_error(error):
    """One short line for `last_error`: the exception class and the server's reply, never a body or a secret."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        detail = f"{error.smtp_code} {reply}"
    else:
        detail = str(error)
    return " ".join(f"{type(error).__name__}: {detail}".split())[:255]


def _lock_next_due(now):
    """The oldest message due at `now`, row-locked; rows another worker holds are skipped (PostgreSQL)."""
    return session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def send_due(limit=100, now=None):
    """Send up to `limit` due messages, oldest first, and commit each outcome; returns a SendSummary.

    A failed message is retried after `retry_delay`; after ALLIES_MAIL_MAX_ATTEMPTS failures it is given up.
    Delivery is at least once: a crash between the server's acceptance and the commit sends that mail again.
    """
    now = now or utcnow()
    config = current_app.config
    max_attempts = int(config["ALLIES_MAIL_MAX_ATTEMPTS"])
    sent = failed_now = gave_up = 0
    with get_backend() as backend:
        for _ in range(limit):
            # One row locked at a time: a lock on a whole batch would end at the first commit below.
            message = _lock_next_due(now)
            if message is None:
                break
            secrets_by_slot = {token.slot: _mint(token) for token in message.link_tokens}
            try:
                backend.send(build_email(message, config["ALLIES_MAIL_FROM"], secrets_by_slot))
            except Exception as error:  # whatever the backend raises, the message stays in the outbox
                message.attempts += 1
                message.last_error = describe_error(error)
                if message.attempts >= max_attempts:
                    message.failed_at = now
                    gave_up += 1
                    current_app.logger.error("Outbox message %s given up after %s attempts: %s",
                                             message.id, message.attempts, message.last_error)
                else:
                    message.next_attempt_at = now + retry_delay(message.attempts)
                    failed_now += 1
                    current_app.logger.warning("Outbox message %s not sent (attempt %s): %s",
                                               message.id, message.attempts, message.last_error)
            else:
                message.sent_at = utcnow()
                sent += 1
            # The worker is the one place that commits by itself, once per message: a message sent is
            # recorded as sent at once, and its row lock ends before the next one is taken.
            session.commit()
    return SendSummary(sent, failed_now, gave_up)


def outbox_counts():
    """How many messages wait (and of those, how many already failed), were sent, were given up."""
    waiting = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)
    row = session.execute(select(
        func.coalesce(func.sum(case((waiting, 1), else_=0)), 0),
        func.coalesce(func.sum(case((waiting & (OutboxMessage.attempts > 0), 1), else_=0)), 0),
        func.coalesce(func.sum(case((OutboxMessage.sent_at.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((OutboxMessage.failed_at.is_not(None), 1), else_=0)), 0),
    )).one()
    return OutboxCounts(*(int(value) for value in row))
