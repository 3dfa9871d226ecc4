"""Identity source "ldap": the password is checked by the organisation's LDAP server or Active Directory.

The session stays Flask-Login's, as with local accounts; only the password check differs. The person's
entry is found by the service account, then the password is checked by binding as that entry.
"""

from flask import current_app
from flask_babel import gettext as _

from ..audit.operations import record
from ..directory.ldap import DirectoryUnreachable, decoy_dn, find_person, missing_settings, password_is_right
from .identity import LocalAccounts, SignInUnavailable
from .operations import agent_for_identity, find_user

SOURCE = "ldap"


class LdapAccounts(LocalAccounts):
    """Sign-in with the directory password (LDAP simple bind); sessions as for local accounts."""

    name = SOURCE

    def init_app(self, app):
        """Refuse to start without the server's settings, then install the Flask-Login session."""
        missing = missing_settings(app.config)
        if missing:
            raise RuntimeError(f"ALLIES_IDENTITY_SOURCE='ldap' needs {', '.join(missing)}.")
        super().init_app(app)

    def authenticate(self, login, password):
        """The active agent whose directory entry has this login and password, or None.

        Raises SignInUnavailable when the server does not answer.
        """
        login = login.strip()
        if not login or not password:  # an empty password would be an unauthenticated bind, which "succeeds"
            record("auth.sign_in_failed", actor_label="?", source=SOURCE)
            return None
        config = current_app.config
        try:
            person = find_person(config, login)
            # An unknown login binds too (to a DN that does not exist), so timing tells nothing about it.
            password_ok = password_is_right(config, person.dn if person else decoy_dn(config), password)
        except DirectoryUnreachable as error:
            current_app.logger.warning("LDAP sign-in unavailable: %s", error)
            record("auth.sign_in_failed", actor_label="?", source=SOURCE, reason="directory unreachable")
            raise SignInUnavailable(_("Sign-in is unavailable: the organisation's directory does not answer. "
                                      "Try again in a few minutes.")) from None
        if person is None:
            record("auth.sign_in_failed", actor_label="?", source=SOURCE)
            return None
        if not password_ok:
            user = find_user(person.login)
            record("auth.sign_in_failed", actor_label=person.login, obj=user, source=SOURCE)
            return None
        return agent_for_identity(SOURCE, person.subject, person.login)
