"""A small OpenID Connect provider on 127.0.0.1, for single sign-on tests through allauth's real client.

It serves discovery, authorize (consenting at once for the identity the test set), token (an RS256 ID
token signed with joserfc, checked against the client's secret, the code and its PKCE verifier),
userinfo and the public keys. Nothing of allauth is patched: allauth fetches all of it over HTTP.
"""

import base64
import hashlib
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.servers import serving_thread


class Provider:
    """One provider: its address, client credentials, the identity it vouches for, the codes it issued."""

    def __init__(self, name: str):
        self.name = name
        self.client_id = f"{name}-client"
        self.client_secret = secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"{name}-1", "use": "sig", "alg": "RS256"})
        self.identity: dict = {}
        self.codes: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = serving_thread(self.server)

    def start(self) -> "Provider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def app_settings(self) -> dict:
        """The entry of SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] for this provider."""
        return {
            "provider_id": self.name,
            "name": self.name.title(),
            "client_id": self.client_id,
            "secret": self.client_secret,
            "settings": {"server_url": self.url},
        }

    def configuration(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **self.identity}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet: the test output is about the app
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.configuration())
                if url.path == "/jwks":
                    return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    self.send_response(302)
                    back = urlencode({"code": code, "state": query.get("state", "")})
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    if self.headers.get("Authorization") != f"Bearer {provider.name}-access":
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.identity)
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                issued = provider.codes.pop(form.get("code", ""), None)  # a code works once
                if (
                    issued is None
                    or form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                    or form.get("redirect_uri") != issued["redirect_uri"]
                ):
                    return self._json(400, {"error": "invalid_grant"})
                if "code_challenge" in issued:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued["code_challenge"]:
                        return self._json(400, {"error": "invalid_grant"})
                return self._json(
                    200,
                    {
                        "access_token": f"{provider.name}-access",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(issued.get("nonce")),
                    },
                )

        return Handler
