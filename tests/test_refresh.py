"""`costcalc prices refresh` end to end, against a real HTTP server on 127.0.0.1 serving each source's format.

Every fault must leave the pricing directory byte-identical, print one clear line and give the documented
exit code. Tables are a copy of the bundled pricing/ in tmp_path; payloads are synced to that copy first.
"""

from __future__ import annotations

import email.utils
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from costcalc.cli.prices import prices
from costcalc.cli.refresh import refresh as refresh_command
from costcalc.errors import FetchError, UnsafeURLError
from costcalc.prices import default_pricing_dir, load_prices
from costcalc.prices.loader import check_dir
from costcalc.refresh import txn
from costcalc.refresh.http import HttpSettings, fetch
from costcalc.refresh.sourcemap import load_source_map

DATA = Path(__file__).parent / "data" / "refresh"
FAST = ["--retries", "2", "--backoff", "0", "--timeout", "2"]
# Run the CLI in a subprocess whether or not the lead has registered `refresh` in the prices group yet.
CLI = ("import sys; from costcalc.cli import cli; from costcalc.cli.prices import prices; "
       "from costcalc.cli.refresh import refresh; prices.add_command(refresh); "
       "cli.main(args=sys.argv[1:], prog_name='costcalc')")


# ---------------------------------------------------------------- HTTP server with injectable faults

class Server:
    """Routes: path -> list of responses (the last one repeats). A response is a dict with `status`, `body`,
    `headers` and `mode`: normal, hang (never answer in time), stream (endless body, no Content-Length)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[dict]] = {}
        self.hits: dict[str, int] = {}
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                responses = server.routes.get(self.path) or [{"status": 404, "body": b"not found"}]
                n = server.hits.get(self.path, 0)
                server.hits[self.path] = n + 1
                r = responses[min(n, len(responses) - 1)]
                try:
                    if r.get("mode") == "hang":
                        server.release.wait(10)
                        return
                    self.send_response(r.get("status", 200))
                    for k, v in r.get("headers", {}).items():
                        self.send_header(k, v)
                    if r.get("mode") == "stream":
                        self.end_headers()
                        for _ in range(400):
                            self.wfile.write(b" " * 65536)
                        return
                    body = r.get("body", b"")
                    self.send_header("Content-Length", str(r.get("length", len(body))))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def serve(self, path: str, *responses: dict | bytes) -> str:
        self.routes[path] = [{"body": r} if isinstance(r, bytes) else r for r in responses]
        self.hits[path] = 0
        return self.url(path)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


# ---------------------------------------------------------------- tables and payloads

@pytest.fixture
def today() -> date:
    """The run date of one test, read once: the refresh is told it (--run-date), so a run across midnight agrees."""
    return date.today()


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    root = tmp_path / "pricing"
    shutil.copytree(default_pricing_dir(), root, ignore=shutil.ignore_patterns(".*"))
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def current(root: Path, today: date) -> dict[str, object]:
    """Our offering ref -> the entry in force today, for refs the copy can compare (USD, per token)."""
    book = load_prices(as_of=today, path=root)
    out = {}
    for off in book.offerings:
        later = any(e.from_ > today for e in off.model.prices)
        if off.is_priced(today) and not later:
            entry = off.entry(today)
            if entry.currency == "USD" and entry.unit == "token":
                out[off.ref] = entry
    return out


def _per_token(value: Decimal) -> float:
    return float(value / 1_000_000)


def litellm_payload(root: Path, today: date, change: dict[str, dict[str, object]] | None = None) -> dict:
    """The litellm fixture with every mapped price set to the table's, then `change` ({key: {field: value}})."""
    data = json.loads((DATA / "litellm-1.109.1-trimmed.json").read_text())
    entries = current(root, today)
    for ref, key in load_source_map(root / "source-map.yaml").for_source("litellm").items():
        if key not in data:
            continue
        if ref not in entries:
            del data[key]
            continue
        e = entries[ref]
        for theirs, value in (("input_cost_per_token", e.input), ("output_cost_per_token", e.output),
                              ("cache_read_input_token_cost", e.cached_input)):
            if value is None:
                data[key].pop(theirs, None)
            else:
                data[key][theirs] = _per_token(value)
    for key, fields in (change or {}).items():
        data[key].update(fields)
    return data


def genai_payload(root: Path, today: date, change: dict[str, dict[str, object]] | None = None) -> list:
    data = json.loads((DATA / "genai-prices-data.json").read_text())
    entries = current(root, today)
    by_id = {f"{p['id']}:{m['id']}": m for p in data for m in p["models"]}
    for ref, upstream in load_source_map(root / "source-map.yaml").for_source("genai-prices").items():
        if upstream in by_id and ref in entries:
            e = entries[ref]
            by_id[upstream]["prices"] = {k: float(v) for k, v in (("input_mtok", e.input), ("output_mtok", e.output),
                                                                 ("cache_read_mtok", e.cached_input)) if v is not None}
    for upstream, fields in (change or {}).items():
        by_id[upstream]["prices"].update(fields)
    for p in data:
        p["models"] = [m for m in p["models"] if f"{p['id']}:{m['id']}" not in
                       {u for r, u in load_source_map(root / "source-map.yaml").for_source("genai-prices").items()
                        if r not in entries}]
    return data


def ecb_payload(root: Path, days_after: int = 3, rate: str | None = None) -> bytes:
    fx = (root / "fx.yaml").read_text().splitlines()
    last_day, last_rate = [line.strip().split(": ") for line in fx if line.startswith("  20")][-1]
    text = (DATA / "ecb-eurofxref-daily.xml").read_text()
    day = date.fromisoformat(last_day) + timedelta(days=days_after)
    return text.replace("2026-11-20", day.isoformat()).replace("rate='1.1172'", f"rate='{rate or last_rate}'").encode()


def pick(root: Path, today: date, source: str, confidence: str, also: str | None = None) -> tuple[str, str, object]:
    """A mapped offering (ref, upstream id, entry) with the given confidence and an input and output price;
    with `also`, one that source maps too."""
    entries = current(root, today)
    source_map = load_source_map(root / "source-map.yaml")
    other = source_map.for_source(also) if also else None
    for ref, upstream in sorted(source_map.for_source(source).items()):
        e = entries.get(ref)
        if other is not None and ref not in other:
            continue
        if e is not None and e.confidence == confidence and e.input and e.output and not e.tiers:
            return ref, upstream, e
    raise AssertionError(f"no {confidence} offering mapped for {source}")


def body(data: object) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture
def run(run, monkeypatch):
    """The conftest CLI runner, with `prices refresh` registered (a no-op once the lead registers it)."""
    monkeypatch.setitem(prices.commands, "refresh", refresh_command)
    return run


def refresh(run, root: Path, today: date, *args: str):
    return run("prices", "refresh", "--pricing-dir", str(root), *FAST, "--run-date", today.isoformat(), *args)


# ---------------------------------------------------------------- the happy path

def test_apply_appends_exactly_the_changed_entry(run, server, tables, today):
    ref, key, entry = pick(tables, today, "litellm", "medium")
    new_input = entry.input * Decimal("1.1")
    url = server.serve("/prices.json", body(litellm_payload(tables, today, {key: {"input_cost_per_token":
                                                                           _per_token(new_input)}})))
    before = snapshot(tables)
    provider_file = f"providers/{ref.split('/')[0]}.yaml"

    result = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply")
    assert result.exit_code == 3, result.output
    assert ref in result.stdout and "repriced" in result.stdout

    after = snapshot(tables)
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {provider_file, "sources.yaml", "VERSION", "CHANGELOG.md"}
    # The new entry cites a source defined once in sources.yaml: the URL fetched, on the run date.
    added_source = after["sources.yaml"].decode().removeprefix(before["sources.yaml"].decode())
    assert added_source == (f"  - id: litellm-refresh-{today}\n    title: \"litellm model_prices_and_context_window"
                            f".json, fetched by costcalc prices refresh\"\n    publisher: BerriAI\n    url: \"{url}\"\n"
                            f"    retrieved: {today}\n")
    old_lines = before[provider_file].decode().splitlines()
    new_lines = after[provider_file].decode().splitlines()
    added = [line for line in new_lines if line not in old_lines or line.strip().startswith("checked:")]
    assert any(f"from: {today}" in line for line in added)
    assert any(line.strip() == f"input: {format(new_input.normalize(), 'f')}" for line in added)
    assert len(new_lines) == len(old_lines) + 8  # one entry: from, currency, 3 prices, source, confidence, note
    # History intact: the old file's lines, apart from the model's checked date, are all still there in order.
    it = iter(new_lines)
    assert all(any(line == n for n in it) for line in old_lines if not line.strip().startswith("checked:"))

    model = next(m for m in load_prices(path=tables).lookup(ref).model.prices[-1:])
    assert (model.from_, model.input, model.confidence) == (today, new_input.normalize(), "medium")
    assert model.source == [f"litellm-refresh-{today}"]
    assert load_prices(path=tables).lookup(ref).model.checked == today
    assert after["VERSION"].decode().strip().startswith(today.strftime("%Y.%m.%d"))
    assert ref in after["CHANGELOG.md"].decode()
    assert run("prices", "validate", str(tables)).exit_code == 0

    again = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply")
    assert again.exit_code == 0, again.output
    assert snapshot(tables) == after


def test_second_change_same_day_bumps_version_suffix(run, server, tables, today):
    (tables / "VERSION").write_text(today.strftime("%Y.%m.%d") + "\n")
    _, key, entry = pick(tables, today, "litellm", "medium")
    url = server.serve("/p.json", body(litellm_payload(tables, today, {key: {"output_cost_per_token":
                                                                      _per_token(entry.output * 2)}})))
    assert refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply").exit_code == 3
    assert (tables / "VERSION").read_text().strip() == today.strftime("%Y.%m.%d") + ".1"


def test_no_change_exits_0_and_writes_nothing(run, server, tables, today):
    before = snapshot(tables)
    urls = [server.serve("/l.json", body(litellm_payload(tables, today))),
            server.serve("/g.json", body(genai_payload(tables, today)))]
    result = refresh(run, tables, today, "--source", "litellm", "--url", urls[0], "--source", "genai-prices",
                     "--url", urls[1], "--apply")
    assert result.exit_code == 0, result.output
    assert snapshot(tables) == before


# ---------------------------------------------------------------- the rules

def test_single_source_never_overrides_confidence_high(run, server, tables, today):
    ref, key, entry = pick(tables, today, "litellm", "high")
    url = server.serve("/p.json", body(litellm_payload(tables, today, {key: {"input_cost_per_token":
                                                                      _per_token(entry.input * 2)}})))
    before = snapshot(tables)
    result = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply", "--format", "json")
    assert result.exit_code == 3
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["offering"] == ref)
    assert finding["status"] == "discrepancy" and "confidence high" in finding["reason"]
    assert snapshot(tables) == before


def test_two_agreeing_sources_override_high_with_medium_citing_both(run, server, tables, today):
    ref, key, entry = pick(tables, today, "litellm", "high", also="genai-prices")
    upstream = load_source_map(tables / "source-map.yaml").for_source("genai-prices").get(ref)
    assert upstream, f"{ref} should be mapped in genai-prices too"
    new = entry.input * Decimal("1.2")
    urls = [server.serve("/l.json", body(litellm_payload(tables, today,
                                                         {key: {"input_cost_per_token": _per_token(new)}}))),
            server.serve("/g.json", body(genai_payload(tables, today, {upstream: {"input_mtok": float(new)}})))]
    result = refresh(run, tables, today, "--source", "litellm", "--url", urls[0], "--source", "genai-prices",
                     "--url", urls[1], "--apply")
    assert result.exit_code == 3, result.output
    last = load_prices(path=tables).lookup(ref).model.prices[-1]
    assert (last.from_, last.input, last.confidence) == (today, new.normalize(), "medium")
    assert last.source == [f"litellm-refresh-{today}", f"genai-prices-refresh-{today}"]


def test_disagreeing_sources_are_a_discrepancy(run, server, tables, today):
    ref, key, entry = pick(tables, today, "litellm", "medium", also="genai-prices")
    upstream = load_source_map(tables / "source-map.yaml").for_source("genai-prices")[ref]
    urls = [server.serve("/l.json", body(litellm_payload(tables, today, {key: {"input_cost_per_token":
                                                                        _per_token(entry.input * 2)}}))),
            server.serve("/g.json", body(genai_payload(tables, today,
                                                       {upstream: {"input_mtok": float(entry.input * 3)}})))]
    before = snapshot(tables)
    result = refresh(run, tables, today, "--source", "litellm", "--url", urls[0], "--source", "genai-prices",
                     "--url", urls[1], "--apply", "--format", "json")
    assert result.exit_code == 3
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["offering"] == ref)
    assert (finding["status"], finding["agreement"]) == ("discrepancy", "disagree")
    assert snapshot(tables) == before


@pytest.mark.parametrize("factor, accepted", [(Decimal(10), True), (Decimal("0.1"), True), (Decimal(0), True),
                                              (Decimal(-1), False)])
def test_absurd_values_are_quarantined(run, server, tables, factor, accepted, today):
    _, key, entry = pick(tables, today, "litellm", "medium")
    url = server.serve("/p.json", body(litellm_payload(tables, today, {key: {"input_cost_per_token":
                                                                      _per_token(entry.input * factor)}})))
    before = snapshot(tables)
    result = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply")
    assert result.exit_code == 3
    assert "quarantined" in result.stdout and "suspicious" in result.stdout
    assert snapshot(tables) == before
    forced = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply", "--accept-large-changes")
    assert forced.exit_code == 3
    assert (snapshot(tables) != before) is accepted


def test_new_and_gone_upstream_are_report_only(run, server, tables, today):
    data = litellm_payload(tables, today)
    ref, key, _ = pick(tables, today, "litellm", "medium")
    del data[key]
    url = server.serve("/p.json", body(data))
    report = tables.parent / "report.md"
    result = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "gone" in result.stdout and ref in result.stdout
    text = report.read_text()
    assert ref in text and "gpt-4o-mini-2024-07-18" in text  # an unmapped upstream model, listed as new


def test_openrouter_source_and_json_output(run, server, tables, today):
    data = json.loads((DATA / "openrouter-models.json").read_text())
    ref, model_id, entry = pick(tables, today, "openrouter", "medium")
    for m in data["data"]:
        if m["id"] == model_id:
            m["pricing"]["prompt"] = str(entry.input * Decimal("1.5") / 1_000_000)
    url = server.serve("/api/v1/models", body(data))
    result = refresh(run, tables, today, "--source", "openrouter", "--url", url, "--format", "json")
    payload = json.loads(result.stdout)
    finding = next(f for f in payload["findings"] if f["offering"] == ref)
    assert finding["observed"]["openrouter"]["input"] == float(entry.input * Decimal("1.5"))
    assert payload["sources"][0]["ok"] is True


def test_ecb_appends_new_rates_textually(run, server, tables, today):
    url = server.serve("/eurofxref-daily.xml", ecb_payload(tables))
    before = (tables / "fx.yaml").read_text()
    result = refresh(run, tables, today, "--source", "ecb", "--url", url, "--apply")
    assert result.exit_code == 3, result.output
    after = (tables / "fx.yaml").read_text()
    assert after.startswith(before) and after.count("\n") == before.count("\n") + 1
    assert run("prices", "validate", str(tables)).exit_code == 0
    assert refresh(run, tables, today, "--source", "ecb", "--url", url, "--apply").exit_code == 0


def test_ecb_absurd_rate_is_quarantined(run, server, tables, today):
    url = server.serve("/x.xml", ecb_payload(tables, rate="11.5"))
    before = snapshot(tables)
    result = refresh(run, tables, today, "--source", "ecb", "--url", url, "--apply")
    assert result.exit_code == 3 and "quarantined" in result.stdout
    assert snapshot(tables) == before


# ---------------------------------------------------------------- faults: byte-identical, one line, exit 1

TRUNCATED = b'{"gpt-5": {"input_cost_per_token": 1.25e-06, "output_cost'
HTML = b"<!DOCTYPE html><html><body>Rate limited, please log in</body></html>"
RENAMED = body({"gpt-5": {"input_cost_per_mtok": 1.25, "output_cost_per_mtok": 10, "litellm_provider": "openai"}})


@pytest.mark.parametrize("responses, message", [
    pytest.param([{"status": 500, "body": b"boom"}], "HTTP 500", id="http-500"),
    pytest.param([{"status": 429, "headers": {"Retry-After": "0"}}], "HTTP 429", id="http-429-forever"),
    pytest.param([{"mode": "hang"}], "timed out", id="timeout"),
    pytest.param([TRUNCATED], "truncated JSON", id="truncated-json"),
    pytest.param([HTML], "HTML", id="html-not-json"),
    pytest.param([RENAMED], "format changed", id="schema-change"),
    pytest.param([{"body": b"{}", "length": 10**9}], "cap", id="huge-declared"),
    pytest.param([{"mode": "stream"}], "cap", id="huge-streamed"),
    pytest.param([{"status": 404, "body": b"nope"}], "HTTP 404", id="http-404"),
])
def test_source_faults_leave_tables_untouched(run, server, tables, responses, message):
    url = server.serve("/p.json", *responses)
    before = snapshot(tables)
    result = run("prices", "refresh", "--pricing-dir", str(tables), "--source", "litellm", "--url", url,
                 "--apply", "--retries", "1", "--backoff", "0", "--timeout", "0.5", "--max-bytes", "1000000")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0] and errors[0].startswith("Error: litellm:"), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tables) == before


def test_ecb_faults(run, server, tables, today):
    before = snapshot(tables)
    for payload, message in [(b"<Cube><Cube time='2026-1", "truncated XML"), (HTML, "HTML"),
                             (b"<?xml version='1.0'?><root/>", "format changed")]:
        url = server.serve("/e.xml", payload)
        result = refresh(run, tables, today, "--source", "ecb", "--url", url, "--apply")
        assert result.exit_code == 1 and message in result.stderr, result.output
    assert snapshot(tables) == before


def test_one_failing_source_does_not_stop_the_others(run, server, tables, today):
    ref, key, entry = pick(tables, today, "genai-prices", "medium")
    new = entry.output + 1
    urls = [server.serve("/l.json", {"status": 503}),
            server.serve("/g.json", body(genai_payload(tables, today, {key: {"output_mtok": float(new)}})))]
    result = refresh(run, tables, today, "--source", "litellm", "--url", urls[0], "--source", "genai-prices",
                     "--url", urls[1], "--apply")
    assert result.exit_code == 1
    assert "Error: litellm: HTTP 503" in result.stderr
    assert ref in result.stdout and "repriced" in result.stdout
    assert load_prices(path=tables).lookup(ref).model.prices[-1].output == new


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The waits between attempts, recorded instead of slept (urllib3's Retry sleeps with time.sleep)."""
    import urllib3.util.retry

    recorded: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", recorded.append)
    return recorded


def test_429_with_retry_after_is_retried(server, waits):
    url = server.serve("/p.json", {"status": 429, "headers": {"Retry-After": "7"}}, b"{}")
    assert fetch(url, HttpSettings(retries=2, backoff=0.5)) == b"{}"
    assert waits == [7.0] and server.hits["/p.json"] == 2


def test_retry_after_as_a_date_is_honoured_and_capped(server, waits):
    in_an_hour = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    url = server.serve("/p.json", {"status": 503, "headers": {"Retry-After": in_an_hour}}, b"{}")
    assert fetch(url, HttpSettings(retries=1, max_wait=90)) == b"{}"
    assert waits == [90] and server.hits["/p.json"] == 2


def test_backoff_doubles_and_is_capped(server, waits):
    url = server.serve("/p.json", {"status": 503})
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable from .* after 5 attempt"):
        fetch(url, HttpSettings(retries=4, backoff=1, max_wait=5))
    assert waits == [2, 4, 5] and server.hits["/p.json"] == 5  # urllib3: the first retry at once


def test_size_cap_declared_and_streamed(server):
    declared = server.serve("/d.json", {"body": b"{}", "length": 2001})
    with pytest.raises(FetchError, match="announces 2,001 bytes, over the 2,000-byte cap"):
        fetch(declared, HttpSettings(retries=0, max_bytes=2000))
    streamed = server.serve("/s.json", {"mode": "stream"})
    with pytest.raises(FetchError, match="sent more bytes, over the 2,000-byte cap"):
        fetch(streamed, HttpSettings(retries=0, max_bytes=2000))


@pytest.mark.parametrize("url", ["http://example.com/prices.json", "ftp://127.0.0.1/prices.json"])
def test_non_https_is_refused_before_any_request(url):
    with pytest.raises(UnsafeURLError, match="only https"):
        fetch(url, HttpSettings(retries=0))


def test_redirect_to_plain_http_elsewhere_is_refused(server):
    url = server.serve("/r", {"status": 302, "headers": {"Location": "http://example.com/prices.json"}})
    with pytest.raises(UnsafeURLError, match="only https"):
        fetch(url, HttpSettings(retries=0))


def test_redirect_to_loopback_is_followed(server):
    target = server.serve("/prices.json", b"{}")
    url = server.serve("/r", {"status": 301, "headers": {"Location": target}})
    assert fetch(url, HttpSettings(retries=0)) == b"{}"


def test_usage_errors(run, tables, today):
    result = refresh(run, tables, today, "--source", "litellm", "--url", "http://example.com/prices.json")
    assert result.exit_code == 2 and "https" in result.output
    result = refresh(run, tables, today, "--url", "https://example.com/prices.json")
    assert result.exit_code == 2 and "--source" in result.output


def test_invalid_tables_are_refused(run, server, tables, today):
    url = server.serve("/p.json", body(litellm_payload(tables, today)))
    (tables / "providers" / "openai.yaml").write_text("provider: openai\nmodels: 3\n")
    before = snapshot(tables)
    result = refresh(run, tables, today, "--source", "litellm", "--url", url, "--apply")
    assert result.exit_code == 1 and "invalid before the refresh" in result.stderr
    assert snapshot(tables) == before


# ---------------------------------------------------------------- processes: lock and SIGKILL

def _spawn(root: Path, today: date, args: list[str], pause_at: tuple[str, Path] | None = None) -> subprocess.Popen:
    """`prices refresh` in its own process; with `pause_at` (step, signal file) it stops there to be killed."""
    program = [str(Path(__file__).parent / "crash_refresh.py"), *map(str, pause_at)] if pause_at else ["-c", CLI]
    return subprocess.Popen([sys.executable, *program, "prices", "refresh", "--pricing-dir", str(root), *FAST,
                             "--run-date", today.isoformat(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _multi_change(server: Server, root: Path, today: date) -> list[str]:
    """Changes in two provider files plus a new FX rate: five files renamed on apply."""
    changes = {}
    for _, key, entry in pick_two_providers(root, today):
        changes[key] = {"input_cost_per_token": _per_token(entry.input * Decimal("1.1"))}
    return ["--source", "litellm", "--url", server.serve("/l.json", body(litellm_payload(root, today, changes))),
            "--source", "ecb", "--url", server.serve("/e.xml", ecb_payload(root)), "--apply"]


def pick_two_providers(root: Path, today: date) -> list[tuple[str, str, object]]:
    """One litellm-mapped offering in each of two provider files whose entry in force is not `high` (a single
    source may reprice it)."""
    entries = current(root, today)
    picked: dict[str, tuple[str, str, object]] = {}
    for ref, key in sorted(load_source_map(root / "source-map.yaml").for_source("litellm").items()):
        e = entries.get(ref)
        if e is not None and e.confidence != "high" and e.input and not e.tiers:
            picked.setdefault(ref.split("/")[0], (ref, key, e))
    assert len(picked) >= 2, picked
    return list(picked.values())[:2]


def test_two_concurrent_runs_apply_once(server, tables, today):
    args = _multi_change(server, tables, today)
    procs = [_spawn(tables, today, args) for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 3]
    assert not txn.pending(tables)
    _, _, problems = check_dir(tables)
    assert problems == []
    assert (tables / "CHANGELOG.md").read_text().count(f"(refresh of {today})") == 1


@pytest.mark.parametrize("pause_at, outcome", [("staged", "old"), ("committed", "new"), ("renamed-1", "new"),
                                               ("renamed-3", "new")])
def test_sigkill_mid_apply_leaves_old_or_new_state(server, tables, tmp_path, pause_at, outcome, today):
    args = _multi_change(server, tables, today)
    old = snapshot(tables)
    reference = tmp_path / "reference"
    shutil.copytree(tables, reference)
    reference_run = _spawn(reference, today, args)
    reference_run.communicate()
    assert reference_run.returncode == 3
    new = snapshot(reference)
    assert len([k for k in new if old.get(k) != new[k]]) == 6

    signal_file = tmp_path / "paused"
    proc = _spawn(tables, today, args, (pause_at, signal_file))
    deadline = time.monotonic() + 60
    while not signal_file.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # Straight after the kill every file is either old or new, and the tables validate.
    files = {k: v for k, v in snapshot(tables).items() if not k.startswith(txn.TXN_DIR)}
    assert all(files.get(k) in (old.get(k), new.get(k)) for k in set(old) | set(new))
    assert check_dir(tables)[2] == []
    # The next run (or recover()) finishes the job: exactly the old or exactly the new state.
    assert txn.recover(tables) is not None
    assert snapshot(tables) == (old if outcome == "old" else new)
