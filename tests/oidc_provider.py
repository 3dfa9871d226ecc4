"""A real OpenID Connect provider for the tests: Authlib's server side, served over HTTP on 127.0.0.1.

It signs its ID tokens with an RSA key made at start, publishes a discovery document and its JWKS, requires
PKCE S256, consents at once for the configured person, and misbehaves on demand (refusals, tampered ID
tokens, a failing token endpoint, a signed UserInfo as ProConnect sends) so the tests can check what Alliés
refuses.
"""

import copy
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

KEY_ID = "provider-key-1"
ALGORITHM = "RS256"


def _signing_key():
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": ALGORITHM})


class Client(ClientMixin):
    """The one client registered at the provider: Alliés."""

    def __init__(self, provider, client_id, client_secret, redirect_uris):
        self.provider = provider
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris

    @property
    def client_metadata(self):
        return {"userinfo_signed_response_alg": ALGORITHM} if self.provider.userinfo_signed else {}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(part for part in (scope or "").split() if part in ("openid", "email", "profile", "uid"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in self.provider.auth_methods

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, code, client_id, redirect_uri, scope, person, nonce, code_challenge, code_challenge_method):
        self.code, self.client_id, self.redirect_uri, self.scope = code, client_id, redirect_uri, scope
        self.person, self.nonce = person, nonce
        self.code_challenge, self.code_challenge_method = code_challenge, code_challenge_method
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Token(TokenMixin):
    def __init__(self, client, person, access_token, scope, expires_in):
        self.client, self.person, self.access_token, self.scope = client, person, access_token, scope
        self.expires_at = time.time() + expires_in

    def check_client(self, client):
        return client.get_client_id() == self.client.get_client_id()

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return int(self.expires_at - time.time())

    def is_expired(self):
        return time.time() >= self.expires_at

    def is_revoked(self):
        return False

    def get_user(self):
        return self.person

    def get_client(self):
        return self.client


class PkceS256(CodeChallenge):
    """PKCE required of every client, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("PKCE (code_challenge, S256) is required.", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


class OpenIDProvider:
    """The provider; set its attributes to change who signs in and how it behaves, `reset()` between tests."""

    def __init__(self, client_id, client_secret, redirect_uris):
        self.key = _signing_key()
        self.foreign_key = _signing_key()  # same key id, not published: a forged signature
        self.app = self._build_app(client_id, client_secret, redirect_uris)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.reset()

    def reset(self):
        """Back to a well-behaved provider, with no record of earlier requests."""
        self.person = None  # the claims of whoever signs in: sub, preferred_username, email…
        self.refuse = False  # answer the authorization request with error=access_denied
        self.id_token_changes = {}  # claims replaced in the ID token after it is made
        self.forge_signature = False
        self.token_endpoint_down = False
        self.id_token_claims = ("preferred_username", "email")  # the person's claims put in the ID token
        self.userinfo_signed = False
        self.userinfo_changes = {}  # claims replaced in the UserInfo answer
        self.auth_methods = ("client_secret_basic", "client_secret_post")
        self.codes, self.tokens = {}, {}
        self.authorization_requests, self.token_requests, self.logouts = [], [], []

    def start(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "email", "profile", "uid"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "userinfo_signing_alg_values_supported": [ALGORITHM],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(self.auth_methods),
        }

    def _tampered(self, id_token):
        """The ID token with `id_token_changes` applied, signed again (by the foreign key when forging)."""
        token = jwt.decode(id_token, self.key)
        claims = {**token.claims, **self.id_token_changes}
        return jwt.encode(token.header, claims, self.foreign_key if self.forge_signature else self.key)

    def _build_app(self, client_id, client_secret, redirect_uris):
        provider = self
        client = Client(self, client_id, client_secret, redirect_uris)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, oauth_request):
                data = oauth_request.payload.data
                provider.codes[code] = AuthorizationCode(
                    code, oauth_request.client.get_client_id(), oauth_request.payload.redirect_uri, oauth_request.scope,
                    oauth_request.user, data.get("nonce"), data.get("code_challenge"), data.get("code_challenge_method"))

            def query_authorization_code(self, code, queried_client):
                found = provider.codes.get(code)
                return found if found is not None and found.client_id == queried_client.get_client_id() else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdTokens(OpenIDCode):
            def resolve_client_private_key(self, token_client):
                return provider.key

            def get_client_claims(self, token_client):
                return {"iss": provider.issuer, "aud": [token_client.get_client_id()]}

            def get_encode_header(self, token_client):
                return {"alg": ALGORITHM, "kid": KEY_ID}

            def exists_nonce(self, nonce, oauth_request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def generate_user_info(self, person, scope):
                return UserInfo(sub=person["sub"], **{name: person[name] for name in provider.id_token_claims
                                                      if name in person})

        class UserInfoAnswer(UserInfoEndpoint):
            def get_issuer(self):
                return provider.issuer

            def generate_user_info(self, person, scope):
                return UserInfo({**copy.deepcopy(person), **provider.userinfo_changes})

            def resolve_private_key(self):
                return provider.key

        class AccessTokens(BearerTokenValidator):
            def authenticate_token(self, token_string):
                return provider.tokens.get(token_string)

        app = Flask("oidc_provider")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 60}

        def save_token(token, oauth_request):
            provider.tokens[token["access_token"]] = Token(
                oauth_request.client, oauth_request.user, token["access_token"], token.get("scope", ""), 60)

        server = AuthorizationServer(app, query_client=lambda asked: client if asked == client_id else None,
                                     save_token=save_token)
        server.register_grant(CodeGrant, [IdTokens(require_nonce=True), PkceS256(required=True)])
        protector = ResourceProtector()
        protector.register_token_validator(AccessTokens())
        server.register_endpoint(UserInfoAnswer(resource_protector=protector))

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(provider.discovery())

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            provider.authorization_requests.append(request.args.to_dict())
            try:
                grant = server.get_consent_grant(end_user=provider.person)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant_user=None if provider.refuse else provider.person,
                                                        grant=grant)

        @app.post("/token")
        def token():
            provider.token_requests.append({"form": request.form.to_dict(), "basic": request.authorization is not None})
            if provider.token_endpoint_down:
                return "The service is down for maintenance.", 503
            response = server.create_token_response()
            if response.status_code == 200 and (provider.id_token_changes or provider.forge_signature):
                body = response.get_json()
                body["id_token"] = provider._tampered(body["id_token"])
                response.set_data(json.dumps(body))
            return response

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            return server.create_endpoint_response("userinfo")

        @app.get("/logout")
        def logout():
            provider.logouts.append(request.args.to_dict())
            return redirect(f"{request.args['post_logout_redirect_uri']}?{urlencode({'state': request.args['state']})}")

        return app
