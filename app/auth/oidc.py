"""Identity source "oidc": sign-in at an OpenID Connect provider (Keycloak, ProConnect), with Authlib.

Authorization code flow with PKCE (S256), `state` and `nonce`. The ID token's signature (the provider's
JWKS, from its discovery document), issuer, audience, expiry and nonce are checked before its `sub` is
linked to a directory account by `agent_for_identity`. From then on the session is Flask-Login's, as with
local accounts. Signing out ends the Alliés sessions, then the provider's when it offers an
`end_session_endpoint` (RP-initiated logout).
"""

from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.flask_client import OAuth
from flask import current_app, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from ..audit.operations import record
from .identity import LocalAccounts, SignOnRefused
from .operations import agent_for_identity

SOURCE = "oidc"
CLIENT_NAME = "allies_oidc"  # Authlib's registry name; it also reads ALLIES_OIDC_CLIENT_ID/SECRET by this name
AUTHLIB_REGISTRY = "authlib.integrations.flask_client"
ID_TOKEN_KEY = "allies_oidc_id_token"  # kept in the session for the provider's logout (id_token_hint)
REQUIRED_SETTINGS = ("ALLIES_OIDC_ISSUER", "ALLIES_OIDC_CLIENT_ID", "ALLIES_OIDC_CLIENT_SECRET")
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")
RANDOM_LENGTH = 48  # state, nonce and PKCE verifier (ProConnect wants at least 32 characters)
LEEWAY_SECONDS = 120  # clock skew accepted on exp and iat
SUBJECT_MAX_LENGTH = 255  # allies_identities.subject


class ProviderUnavailable(Exception):
    """The provider did not answer, or its discovery document cannot be used (logged for the administrator)."""


class OidcAccounts(LocalAccounts):
    """Sign-in at the organisation's OpenID Connect provider; sessions as for local accounts."""

    name = SOURCE
    offers_password_form = False

    def init_app(self, app):
        """Refuse to start without the provider's settings; register the Authlib client; install Flask-Login."""
        config = app.config
        missing = [key for key in REQUIRED_SETTINGS if not config.get(key)]
        if missing:
            raise RuntimeError(f"ALLIES_IDENTITY_SOURCE='oidc' needs {', '.join(missing)}.")
        self.issuer = config["ALLIES_OIDC_ISSUER"].rstrip("/")
        if config.get("ALLIES_PRODUCTION") and urlsplit(self.issuer).scheme != "https":
            raise RuntimeError(f"ALLIES_OIDC_ISSUER must be an https:// address in production, not {self.issuer!r}.")
        scopes = config["ALLIES_OIDC_SCOPES"].split()
        if "openid" not in scopes:
            raise RuntimeError(f"ALLIES_OIDC_SCOPES must include 'openid' (it is {config['ALLIES_OIDC_SCOPES']!r}).")
        self.client_id = config["ALLIES_OIDC_CLIENT_ID"]
        self.login_claim = config["ALLIES_OIDC_LOGIN_CLAIM"]
        self.provider_name = config["ALLIES_OIDC_PROVIDER_NAME"] or urlsplit(self.issuer).hostname
        super().init_app(app)

        registry = OAuth()
        hosts_registry = app.extensions.get(AUTHLIB_REGISTRY)
        registry.init_app(app)
        if hosts_registry is not None:  # a host intranet's own Authlib clients keep their place
            app.extensions[AUTHLIB_REGISTRY] = hosts_registry
        self.client = registry.register(
            CLIENT_NAME,
            client_id=self.client_id,
            client_secret=config["ALLIES_OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            # leeway: the access token is used at once for UserInfo; Authlib's default (60 s) would call
            # ProConnect's tokens, which live 60 s, expired from the start.
            client_kwargs={"scope": " ".join(scopes), "code_challenge_method": "S256", "leeway": 5,
                           "default_timeout": config["ALLIES_OIDC_TIMEOUT"]},
        )

    def authenticate(self, login, password):
        """No password is ever checked here: the provider signs people in."""
        return None

    def sign_in_page(self):
        """Instead of the password form: one link to the provider, keeping `next`."""
        return render_template("allies/auth/login.html", provider_name=self.provider_name,
                               sign_on_url=url_for("allies.auth.oidc_start", next=request.args.get("next")))

    def authorization_redirect(self, next_path):
        """Send the browser to the provider (code flow, PKCE S256, state, nonce), to come back to `next_path`."""
        redirect_uri = url_for("allies.auth.oidc_callback", _external=True)
        try:
            self._provider_metadata()
            authorization = self.client.create_authorization_url(
                redirect_uri, state=generate_token(RANDOM_LENGTH), nonce=generate_token(RANDOM_LENGTH))
        except ProviderUnavailable as error:
            raise self._refusal("provider unreachable", error) from None
        self.client.save_authorize_data(state=authorization["state"], redirect_uri=redirect_uri, next=next_path,
                                        code_verifier=authorization["code_verifier"], nonce=authorization["nonce"])
        return redirect(authorization["url"])

    def complete_sign_in(self, answer):
        """Check the provider's answer (the callback's query), sign the agent in and return where to go next.

        Raises SignOnRefused, with the reason for the person, when nobody may be signed in.
        """
        state = answer.get("state")
        started = self.client.framework.get_state_data(browser_session, state) if state else None
        if not started:
            raise self._refusal("unknown state")
        if answer.get("error"):
            self.client.framework.clear_state_data(browser_session, state)
            raise self._refusal(f"provider answered {answer['error'][:40]}")
        try:
            token = self.client.authorize_access_token(claims_options=self._id_token_checks(), leeway=LEEWAY_SECONDS)
            claims = token.get("userinfo")  # the verified ID token's claims; absent when no ID token came
            if not claims:
                raise self._refusal("no ID token")
            login = self._login_from(claims, token)
        except ProviderUnavailable as error:
            raise self._refusal("provider unreachable", error) from None
        except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as error:
            if _server_is_down(error):
                raise self._refusal("provider unreachable", error) from None
            raise self._refusal("ID token or answer rejected", error) from None
        subject = f"{claims['iss']}#{claims['sub']}"
        if len(subject) > SUBJECT_MAX_LENGTH:
            raise self._refusal("subject too long")
        user = agent_for_identity(SOURCE, subject, login)
        if user is None:
            raise SignOnRefused(_("Your %(provider)s account matches no active account in Alliés. Ask the "
                                  "administrator to check the directory.", provider=self.provider_name))
        self.sign_in(user)
        browser_session[ID_TOKEN_KEY] = token["id_token"]
        return started.get("next")

    def sign_out(self, user):
        """End the agent's Alliés sessions, then send the browser to the provider's logout when it has one."""
        id_token = browser_session.pop(ID_TOKEN_KEY, None)
        super().sign_out(user)
        if id_token is None:
            return None
        try:
            end_session = self._provider_metadata().get("end_session_endpoint")
        except ProviderUnavailable:
            return None
        if not end_session:
            return None
        return self.client.logout_redirect(post_logout_redirect_uri=url_for("allies.auth.oidc_signed_out", _external=True),
                                           id_token_hint=id_token, state=generate_token(RANDOM_LENGTH))

    def complete_sign_out(self):
        """The provider's logout sent the browser back: forget the logout's state (the sessions already ended)."""
        try:
            self.client.validate_logout_response()
        except AuthlibBaseError:
            pass  # nobody is signed in any more either way

    def _provider_metadata(self):
        """The provider's discovery document (fetched once), checked: same issuer, the endpoints we need."""
        try:
            metadata = self.client.load_server_metadata()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(str(error)) from None
        if metadata.get("issuer", "").rstrip("/") != self.issuer:
            raise ProviderUnavailable(f"the discovery document names the issuer {metadata.get('issuer')!r}")
        missing = [name for name in REQUIRED_METADATA if not metadata.get(name)]
        if missing:
            raise ProviderUnavailable(f"the discovery document lacks {', '.join(missing)}")
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if "client_secret_basic" not in methods and "client_secret_post" in methods:
            self.client.client_kwargs["token_endpoint_auth_method"] = "client_secret_post"  # ProConnect's way
        return metadata

    def _id_token_checks(self):
        """What the ID token must say besides its signature and nonce: our issuer, our client, an expiry."""
        metadata = self._provider_metadata()
        return {"iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True}}

    def _login_from(self, claims, token):
        """The directory login named by ALLIES_OIDC_LOGIN_CLAIM, from the ID token or else the UserInfo endpoint."""
        login = claims.get(self.login_claim)
        if login is None and self._provider_metadata().get("userinfo_endpoint"):
            login = self._userinfo(token, claims["sub"]).get(self.login_claim)
        if not isinstance(login, str) or not login.strip():
            current_app.logger.error("OpenID Connect: the provider sent no %r claim (ALLIES_OIDC_LOGIN_CLAIM).",
                                     self.login_claim)
            raise self._refusal(f"no {self.login_claim} claim")
        return login

    def _userinfo(self, token, subject):
        """The UserInfo claims of the signed-in person: plain JSON, or a JWT signed by the provider (ProConnect)."""
        metadata = self._provider_metadata()
        response = self.client.get(metadata["userinfo_endpoint"], token=token)
        response.raise_for_status()
        if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
            claims = self._verified_jwt(response.text, metadata.get("userinfo_signing_alg_values_supported"))
            checks = self._id_token_checks()  # a signed UserInfo must name our issuer and our client too
            JWTClaimsRegistry(leeway=LEEWAY_SECONDS, iss=checks["iss"], aud=checks["aud"]).validate(claims)
        else:
            claims = response.json()
        if not isinstance(claims, dict) or claims.get("sub") != subject:
            raise ValueError("the UserInfo answer is about another subject")
        return claims

    def _verified_jwt(self, text, algorithms):
        """The claims of a JWT signed with one of the provider's keys (the JWKS is fetched again once if the key is new)."""
        try:
            return jwt.decode(text, KeySet.import_key_set(self.client.fetch_jwk_set()), algorithms=algorithms).claims
        except InvalidKeyIdError:
            keys = KeySet.import_key_set(self.client.fetch_jwk_set(force=True))
            return jwt.decode(text, keys, algorithms=algorithms).claims

    def _refusal(self, reason, error=None):
        """Log and audit why a sign-in through the provider failed; the refusal to show the person."""
        current_app.logger.warning("OpenID Connect sign-in refused: %s%s", reason,
                                   f" ({type(error).__name__}: {error})" if error is not None else "")
        record("auth.sign_in_failed", actor_label="?", source=SOURCE, reason=reason)
        if reason == "provider unreachable":
            return SignOnRefused(_("%(provider)s cannot be reached right now, so nobody can sign in. Try again in "
                                   "a few minutes.", provider=self.provider_name))
        if reason.startswith("provider answered"):
            return SignOnRefused(_("The sign-in was cancelled or refused at %(provider)s.",
                                   provider=self.provider_name))
        return SignOnRefused(_("The sign-in through %(provider)s could not be verified, so nobody was signed in. "
                               "Please sign in again.", provider=self.provider_name))


def _server_is_down(error):
    """Whether an HTTP failure means the provider is out of reach (no answer, time-out, 5xx) rather than a refusal."""
    if isinstance(error, (requests.ConnectionError, requests.Timeout)):
        return True
    response = getattr(error, "response", None)
    return isinstance(error, requests.HTTPError) and response is not None and response.status_code >= 500
