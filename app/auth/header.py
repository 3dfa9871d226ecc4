"""Single sign-on by a header: the intranet's reverse proxy authenticates the agent and names them in a header.

The header is believed only in this mode and only when the request's direct peer — the TCP peer, before any
ProxyFix rewriting — is one of ALLIES_TRUSTED_PROXIES. Its value is the agent's login in the Alliés directory.
Nothing is kept in a cookie: every request carries the header, and the agent is found again for each request.
"""

import ipaddress
import re

from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit.models import AuditEntry
from ..clock import local_midnight, local_today
from ..database import keep_at_request_end, session
from .identity import SignedInElsewhere, current_agent
from .models import Identity
from .operations import agent_for_identity

SOURCE = "header"
# Variables a server sets itself (mod_wsgi, uWSGI, AJP); any other name is an HTTP request header.
CGI_VARIABLES = ("REMOTE_USER",)
HEADER_NAME = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
# One login: no comma (two headers merged into one variable), no space, no control character.
LOGIN = re.compile(r"[\w.@-]{1,255}")


def environ_key(header):
    """The WSGI environ key of ALLIES_TRUSTED_HEADER: `REMOTE_USER` as is, `X-Remote-User` → HTTP_X_REMOTE_USER."""
    if header in CGI_VARIABLES:
        return header
    if not HEADER_NAME.fullmatch(header or ""):
        raise RuntimeError(
            f"ALLIES_TRUSTED_HEADER={header!r} is not usable: give REMOTE_USER or an HTTP header name made of letters, "
            "digits and dashes, such as X-Remote-User (a name with underscores is dropped by nginx and gunicorn, and "
            "could be confused with its dashed twin)."
        )
    return "HTTP_" + header.upper().replace("-", "_")


def trusted_networks(proxies):
    """ALLIES_TRUSTED_PROXIES (addresses or CIDR networks, a list or a comma-separated text) as networks."""
    if isinstance(proxies, str):
        proxies = proxies.split(",")
    items = [str(item).strip() for item in proxies or () if str(item).strip()]
    if not items:
        raise RuntimeError(
            "ALLIES_IDENTITY_SOURCE=header needs ALLIES_TRUSTED_PROXIES: the addresses of the reverse proxies that set "
            "the sign-on header (e.g. 127.0.0.1 or 10.0.8.0/24). Without them anyone could sign in as anyone."
        )
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise RuntimeError(
                f"ALLIES_TRUSTED_PROXIES: {item!r} is neither an IP address nor a network such as 10.0.8.0/24."
            ) from None
    return tuple(networks)


def direct_peer(environ):
    """The address of whoever opened the connection to this server: REMOTE_ADDR as it was before ProxyFix."""
    original = environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR", environ.get("REMOTE_ADDR"))


class TrustedHeader(SignedInElsewhere):
    """The reverse proxy signs agents in and names them in a header; Alliés shows no password form."""

    name = SOURCE

    def init_app(self, app):
        """Check the header name and the trusted proxies (refusing to start without them); identify agents early."""
        self.header = app.config["ALLIES_TRUSTED_HEADER"]
        self.environ_key = environ_key(self.header)
        self.proxies = trusted_networks(app.config["ALLIES_TRUSTED_PROXIES"])
        app.before_request(identify_before_the_view)

    def from_trusted_proxy(self, environ):
        """Whether the request's direct peer is one of ALLIES_TRUSTED_PROXIES."""
        try:
            peer = ipaddress.ip_address(direct_peer(environ) or "")
        except ValueError:  # a Unix socket or no address at all
            return False
        peer = getattr(peer, "ipv4_mapped", None) or peer
        return any(peer in network for network in self.proxies)

    def asserted_login(self):
        """The login the trusted proxy vouches for in this request, or None (absent, untrusted or ambiguous)."""
        value = request.environ.get(self.environ_key)
        if value is None:
            return None
        if not self.from_trusted_proxy(request.environ):
            current_app.logger.warning("Ignored the %s header sent from %s, which is not in ALLIES_TRUSTED_PROXIES.",
                                       self.header, direct_peer(request.environ))
            return None
        login = value.strip()
        if not LOGIN.fullmatch(login):
            current_app.logger.warning("Ignored a %s header that is not one login (several values, spaces or "
                                       "control characters).", self.header)
            return None
        return login

    def current_agent(self):
        """The active agent named by the trusted proxy, or None (the refused login is kept for the sign-in page)."""
        login = self.asserted_login()
        if login is None:
            return None
        agent = agent_vouched_for(login)
        if agent is None:
            g.allies_refused_login = login
        return agent


def identify_before_the_view():
    """Find the agent before Alliés' views run, so that a sign-in is recorded whatever the view does."""
    if current_app.extensions["allies"].owns_request() and not (request.endpoint or "").endswith("static"):
        current_agent()


def agent_vouched_for(login):
    """The active agent whose directory login the proxy asserts, or None.

    A sign-in is recorded once a day per agent (the first request of the day in ALLIES_TIMEZONE), a refusal once
    a day per client address; either is kept for the request's commit, even a GET's. Other requests only read.
    """
    subject = login.lower()
    since = local_midnight(local_today())
    linked, seen_today = _linked_identity(subject, since)
    if linked is not None and seen_today and linked.user.active:
        return linked.user
    attempt = session.begin_nested()
    try:
        agent = agent_for_identity(SOURCE, subject, login)
        session.flush()
    except IntegrityError:  # a parallel request of the same agent linked the login first
        agent = None
    if agent is not None:
        attempt.commit()
        keep_at_request_end()
        return agent
    attempt.rollback()
    linked, _seen = _linked_identity(subject, since)
    if linked is not None and linked.user.active:  # linked meanwhile by a parallel request
        return linked.user
    if _refusal_recorded_since(since):
        return None
    agent = agent_for_identity(SOURCE, subject, login)  # refused again, recorded this time
    keep_at_request_end()
    return agent


def _linked_identity(subject, since):
    """The identity linking `subject` to an account, and whether it was seen since `since`."""
    row = session.execute(
        select(Identity, Identity.last_seen_at >= since)
        .where(Identity.source == SOURCE, Identity.subject == subject)
        .options(joinedload(Identity.user))
    ).first()
    return (row[0], bool(row[1])) if row is not None else (None, False)


def _refusal_recorded_since(since):
    """Whether a refused sign-in from this client address is already in today's audit log."""
    return session.execute(
        select(AuditEntry.id).where(AuditEntry.action == "auth.sign_in_failed", AuditEntry.at >= since,
                                    AuditEntry.ip == request.remote_addr).limit(1)
    ).first() is not None
