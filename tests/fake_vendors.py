"""Fake vendor counting endpoints on 127.0.0.1 with the real request shapes (Anthropic, Gemini, Vertex,
Bedrock). Each counts the message text with a known tokenizer plus a fixed per-request overhead."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    count: Callable[[str], int]
    overhead: int = 7
    key: str = "k"
    models: tuple[str, ...] = ("claude-sonnet-4-5",)
    rate_limit_first: int = 0  # answer 429 (Retry-After: 0) to this many requests first
    answer: str | None = None  # "not-json" | "negative": a broken endpoint
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _text_of(vendor: str, body: dict) -> str:
    if vendor == "anthropic":
        return body["messages"][0]["content"]
    if vendor == "bedrock":
        return body["input"]["converse"]["messages"][0]["content"][0]["text"]
    return body["contents"][0]["parts"][0]["text"]


ROUTES = {
    "anthropic": re.compile(r"^/v1/messages/count_tokens$"),
    "gemini": re.compile(r"^/v1beta/models/(?P<model>[^/:]+):countTokens$"),
    "vertex": re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/publishers/google/models/(?P<model>[^/:]+)"
                         r":countTokens$"),
    "bedrock": re.compile(r"^/model/(?P<model>[^/]+)/count-tokens$"),
}
FIELD = {"anthropic": "input_tokens", "gemini": "totalTokens", "vertex": "totalTokens", "bedrock": "inputTokens"}


def _authorised(vendor: str, headers, key: str) -> bool:
    if vendor == "anthropic":
        return headers.get("x-api-key") == key and bool(headers.get("anthropic-version"))
    if vendor == "gemini":
        return headers.get("x-goog-api-key") == key
    if vendor == "vertex":
        return headers.get("Authorization") == f"Bearer {key}"
    return headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential=AKIDFAKE/")


def serve(vendor: str, behaviour: Behaviour) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, payload: bytes, ctype: str = "application/json", extra=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/token":  # google-auth refreshing application-default credentials
                self._send(200, json.dumps({"access_token": behaviour.key, "expires_in": 3600,
                                            "token_type": "Bearer"}).encode())
                return
            from urllib.parse import unquote

            match = ROUTES[vendor].match(unquote(self.path))
            if match is None:
                self._send(404, b'{"error": "no such route"}')
                return
            with behaviour.lock:
                behaviour.requests.append({"path": self.path, "headers": dict(self.headers)})
                limited = behaviour.rate_limit_first > 0
                if limited:
                    behaviour.rate_limit_first -= 1
            if limited:
                self._send(429, b'{"error": "rate limited"}', extra=[("Retry-After", "0")])
                return
            if not _authorised(vendor, self.headers, behaviour.key):
                self._send(401, b'{"error": "invalid x-api-key"}')
                return
            data = json.loads(body)
            model = data.get("model") if vendor == "anthropic" else match.group("model")
            if model not in behaviour.models:
                self._send(404, json.dumps({"error": f"model {model} not found"}).encode())
                return
            if behaviour.answer == "not-json":
                self._send(200, b"<html>gateway</html>", "text/html")
                return
            n = behaviour.count(_text_of(vendor, data)) + behaviour.overhead
            if behaviour.answer == "negative":
                n = -n
            self._send(200, json.dumps({FIELD[vendor]: n}).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
