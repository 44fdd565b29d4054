"""A local stand-in for Twilio's Messaging REST API, answering the real `twilio` client as Twilio does.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP basic auth (account SID, auth token)
and a form body (To, From or MessagingServiceSid, Body, StatusCallback) answers 201 with the message
resource's JSON (https://www.twilio.com/docs/messaging/api/message-resource), or 400 with Twilio's error
body (code 21614 for a number flagged as a landline, 21211 for an invalid one), or 503 while `down`.
When `call_back` is on, it then POSTs "sent" and "delivered" to the StatusCallback, signed with the auth
token as Twilio signs (X-Twilio-Signature); with `call_back_first`, it reports "sent" before it answers
the request (Twilio's callbacks are not ordered with its answers).
"""

import base64
import json
import threading
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import requests
from twilio.request_validator import RequestValidator

from tests.servers import serving_thread

LANDLINES = {"+13235550000"}


class FakeTwilio:
    """The server, what it received, and switches for outages and callbacks."""

    def __init__(self, *, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sent: list[dict] = []
        self.callbacks: list[tuple[str, int]] = []  # (status, HTTP status the app answered)
        self.down = False
        self.call_back = False
        self.call_back_first = False
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = serving_thread(self.server)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _error(self, handler, status: int, code: int, message: str) -> None:
        self._answer(
            handler,
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def handle(self, handler) -> None:
        path = handler.path.split("?")[0]
        expected = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        auth = handler.headers.get("Authorization", "")
        wanted = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        length = int(handler.headers.get("Content-Length", "0"))
        form = dict(parse_qsl(handler.rfile.read(length).decode()))
        if auth != wanted:
            return self._error(handler, 401, 20003, "Authenticate")
        if path != expected:
            return self._error(handler, 404, 20404, "The requested resource was not found")
        if self.down:
            return self._error(handler, 503, 20500, "Service unavailable")
        if (
            not form.get("To")
            or not form.get("Body")
            or not (form.get("From") or form.get("MessagingServiceSid"))
        ):
            return self._error(handler, 400, 21604, "A 'To' phone number is required.")
        if form["To"] in LANDLINES:
            return self._error(handler, 400, 21614, f"'To' number {form['To']} is not a valid mobile number")
        sid = "SM" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        with self.lock:
            self.sent.append({**form, "sid": sid})
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        if self.call_back_first and form.get("StatusCallback"):
            self._call_back(form, sid, statuses=("sent",))
        self._answer(
            handler,
            201,
            {
                "account_sid": self.account_sid,
                "api_version": "2010-04-01",
                "body": form["Body"],
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
                "to": form["To"],
                "uri": uri,
            },
        )
        if self.call_back and form.get("StatusCallback"):
            threading.Thread(target=self._call_back, args=(form, sid), daemon=True).start()

    def signed_post(self, url: str, params: dict) -> requests.Response:
        """POST form parameters to a webhook with Twilio's signature computed with the auth token."""
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    def _call_back(self, form: dict, sid: str, statuses=("sent", "delivered")) -> None:
        for status in statuses:
            params = {
                "AccountSid": self.account_sid,
                "ApiVersion": "2010-04-01",
                "From": form.get("From", ""),
                "MessageSid": sid,
                "MessageStatus": status,
                "SmsSid": sid,
                "SmsStatus": status,
                "To": form["To"],
            }
            response = self.signed_post(form["StatusCallback"], params)
            with self.lock:
                self.callbacks.append((status, response.status_code))
