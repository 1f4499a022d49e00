"""Vendor token-counting endpoints, one small client each: `count(text) -> int` for one user message.

HTTP goes through the package's one urllib3 pool (`costcalc.net`): its `Retry` retries 429 and 5xx with
exponential backoff and honours Retry-After, so no retry loop is written here. Keys come only from the
environment and are sent only in request headers: no message, log or file ever contains one.
Vertex (google-auth) and Bedrock (boto3) clients need their vendor SDK: `pip install 'costcalc[vertex]'` /
`'costcalc[bedrock]'`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from costcalc.errors import MissingDependencyError, UsageError, VendorError
from costcalc.net import HttpSettings, pool

# Counting endpoints rate-limit hard: more retries, a longer timeout and a shorter cap than the refresh job.
HTTP = HttpSettings(timeout=60.0, retries=6, backoff=1.0, max_wait=60.0)



def env_key(*names: str) -> str:
    """The first of `names` set in the environment; a UsageError naming them when none is."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise UsageError(f"no API key: set {' or '.join(names)} in the environment",
                     "keys are read only from the environment, never from options or files")


def _host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--api-base {url!r} is not an http(s) URL", "e.g. --api-base https://api.anthropic.com")
    return url.rstrip("/")


@dataclass
class HttpClient:
    """A JSON POST counting endpoint; subclasses give the URL, headers, body and the field holding the count."""

    vendor: str
    model: str
    api_base: str
    options: HttpSettings = HTTP
    _http: Any = field(default=None, repr=False)

    def url(self) -> str:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def body(self, text: str) -> dict[str, Any]:
        raise NotImplementedError

    count_field = ""

    @property
    def endpoint(self) -> str:
        """Where counts come from (part of the cache key; no secret in it)."""
        return self.url()

    def count(self, text: str) -> int:
        import urllib3

        if self._http is None:
            self._http = pool(self.options, "costcalc-calibrate")
        url = self.url()
        try:
            resp = self._http.request("POST", url, body=json.dumps(self.body(text)).encode(),
                                      headers={"Content-Type": "application/json", **self.headers()})
        except urllib3.exceptions.MaxRetryError as e:
            raise VendorError(f"{self.vendor} counting endpoint {url} unreachable after retries: "
                              f"{type(e.reason).__name__}", "check --api-base and the network") from None
        except urllib3.exceptions.HTTPError as e:
            raise VendorError(f"{self.vendor} counting endpoint {url}: {type(e).__name__}") from None
        return self.parse(resp.status, resp.data, resp.headers.get("Content-Type", ""))

    def parse(self, status: int, data: bytes, content_type: str) -> int:
        who = f"{self.vendor} counting endpoint ({self.model})"
        if status in (401, 403):
            raise VendorError(f"{who}: HTTP {status}: the API key was refused",
                              f"check the key in {self.key_names()} (it is never printed)")
        if status == 404:
            raise VendorError(f"{who}: HTTP 404: unknown model {self.model!r} or wrong endpoint",
                              "check --model against the vendor's model ids, and --api-base")
        if status == 429:
            raise VendorError(f"{who}: HTTP 429: still rate-limited after {self.options.retries} retries",
                              "wait and rerun: counts already made are cached and not requested again")
        if status >= 400:
            raise VendorError(f"{who}: HTTP {status}", "rerun later; counts already made are cached")
        try:
            payload = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise VendorError(f"{who}: the answer is not JSON ({content_type or 'no content type'}, "
                              f"{len(data)} bytes)", "check --api-base: it must be the vendor's API") from None
        value = payload.get(self.count_field) if isinstance(payload, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise VendorError(f"{who}: expected a non-negative integer {self.count_field!r}, got {value!r}",
                              "check --api-base: it must be the vendor's counting API")
        return value

    def key_names(self) -> str:
        return "the environment"


@dataclass
class AnthropicClient(HttpClient):
    """POST /v1/messages/count_tokens {"model", "messages": [{"role": "user", "content": TEXT}]}."""

    count_field = "input_tokens"
    version: str = "2023-06-01"

    def __post_init__(self) -> None:
        self._key = env_key("ANTHROPIC_API_KEY")

    def url(self) -> str:
        return f"{self.api_base}/v1/messages/count_tokens"

    def headers(self) -> dict[str, str]:
        return {"x-api-key": self._key, "anthropic-version": self.version}

    def body(self, text: str) -> dict[str, Any]:
        return {"model": self.model, "messages": [{"role": "user", "content": text}]}

    def key_names(self) -> str:
        return "ANTHROPIC_API_KEY"


@dataclass
class GeminiClient(HttpClient):
    """POST /v1beta/models/{model}:countTokens {"contents": [{"role": "user", "parts": [{"text": TEXT}]}]}."""

    count_field = "totalTokens"

    def __post_init__(self) -> None:
        self._key = env_key("GEMINI_API_KEY", "GOOGLE_API_KEY")

    def url(self) -> str:
        return f"{self.api_base}/v1beta/models/{quote(self.model, safe='-._')}:countTokens"

    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key}

    def body(self, text: str) -> dict[str, Any]:
        return {"contents": [{"role": "user", "parts": [{"text": text}]}]}

    def key_names(self) -> str:
        return "GEMINI_API_KEY / GOOGLE_API_KEY"


@dataclass
class VertexClient(GeminiClient):
    """POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:countTokens, OAuth bearer token
    from Google's application-default credentials (google-auth)."""

    project: str = ""
    location: str = "us-central1"

    def __post_init__(self) -> None:
        try:
            import google.auth
            import google.auth.exceptions
            import google.auth.transport.requests
        except ImportError:
            raise MissingDependencyError("the Vertex client needs google-auth",
                                         "pip install 'costcalc[vertex]'") from None
        try:
            creds, project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        except google.auth.exceptions.DefaultCredentialsError:
            raise UsageError("no Google Cloud credentials: set GOOGLE_APPLICATION_CREDENTIALS or run "
                             "`gcloud auth application-default login`") from None
        self.project = self.project or os.environ.get("GOOGLE_CLOUD_PROJECT", "") or (project or "")
        if not self.project:
            raise UsageError("no Google Cloud project: set GOOGLE_CLOUD_PROJECT")
        try:
            creds.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as e:
            raise VendorError(f"Google Cloud credentials could not be refreshed: {type(e).__name__}",
                              "check GOOGLE_APPLICATION_CREDENTIALS (it is never printed)") from None
        self._key = creds.token

    def url(self) -> str:
        return (f"{self.api_base}/v1/projects/{quote(self.project)}/locations/{quote(self.location)}"
                f"/publishers/google/models/{quote(self.model, safe='-._@')}:countTokens")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}"}

    def key_names(self) -> str:
        return "GOOGLE_APPLICATION_CREDENTIALS"


@dataclass
class BedrockClient:
    """Bedrock Runtime CountTokens (boto3, the standard AWS credential chain):
    {"input": {"converse": {"messages": [{"role": "user", "content": [{"text": TEXT}]}]}}} -> inputTokens."""

    vendor: str
    model: str
    api_base: str | None = None
    region: str | None = None
    retries: int = 6
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            import boto3
            import botocore.config
        except ImportError:
            raise MissingDependencyError("the Bedrock client needs boto3", "pip install 'costcalc[bedrock]'") from None
        region = self.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": self.retries + 1},
                                        max_pool_connections=16)
        self._client = boto3.client("bedrock-runtime", region_name=region, endpoint_url=self.api_base,
                                    config=config)
        self.region = region

    @property
    def endpoint(self) -> str:
        return self.api_base or f"bedrock-runtime.{self.region}"

    def count(self, text: str) -> int:
        import botocore.exceptions

        who = f"bedrock CountTokens ({self.model})"
        try:
            answer = self._client.count_tokens(modelId=self.model, input={"converse": {"messages": [
                {"role": "user", "content": [{"text": text}]}]}})
        except botocore.exceptions.NoCredentialsError:
            raise UsageError("no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
                             "the standard AWS credential chain is used; keys are never printed") from None
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code", "?")
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (401, 403):
                raise VendorError(f"{who}: HTTP {status} {code}: the AWS credentials were refused") from None
            if status == 404 or code in ("ResourceNotFoundException",):
                raise VendorError(f"{who}: unknown model {self.model!r}", "check --model") from None
            raise VendorError(f"{who}: HTTP {status} {code}") from None
        except (botocore.exceptions.BotoCoreError, ValueError) as e:
            raise VendorError(f"{who}: {type(e).__name__}", "check --api-base and the answer") from None
        value = answer.get("inputTokens")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise VendorError(f"{who}: expected a non-negative integer inputTokens, got {value!r}")
        return value


DEFAULT_BASE = {"anthropic": "https://api.anthropic.com", "gemini": "https://generativelanguage.googleapis.com",
                "vertex": "https://{location}-aiplatform.googleapis.com"}


def client(vendor: str, model: str, api_base: str | None = None, *, location: str = "us-central1",
           project: str = "", region: str | None = None, options: HttpSettings = HTTP):
    """The counting client for `vendor` (anthropic, gemini, vertex, bedrock)."""
    if vendor == "bedrock":
        return BedrockClient(vendor, model, _host(api_base) if api_base else None, region, options.retries)
    base = _host(api_base or DEFAULT_BASE[vendor].format(location=location))
    if vendor == "anthropic":
        return AnthropicClient(vendor, model, base, options)
    if vendor == "gemini":
        return GeminiClient(vendor, model, base, options)
    if vendor == "vertex":
        return VertexClient(vendor, model, base, options, project=project, location=location)
    raise UsageError(f"unknown vendor {vendor!r}", "use anthropic, gemini, vertex or bedrock")
