"""`costcalc calibrate`: vendor counting clients against fakes on 127.0.0.1 (real request shapes), the
end-to-end path into reports, usage-log fitting, and bad input."""

from __future__ import annotations

import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from fake_vendors import Behaviour, serve

from costcalc._paths import data_dir
from costcalc.cli import cli
from costcalc.tokenizers import get_tokenizer

SONNET = "claude-sonnet-4-5"


@pytest.fixture
def pricing(tmp_path) -> Path:
    """The shipped tables, with Claude Sonnet 4.5 on its closed family (as the final model mapping has it)."""
    root = tmp_path / "pricing"
    shutil.copytree(data_dir("pricing"), root)
    path = root / "providers" / "anthropic.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {SONNET}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("tokenizer:"))
    lines[at] = lines[at].split("tokenizer:")[0] + "tokenizer: anthropic:claude-3\n"
    path.write_text("".join(lines), encoding="utf-8")
    return root


def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def corpus_tokens(tokenizer: str, lang: str) -> int:
    """The fake's tokenizer over the documents a report uses for `lang` (those aligned with English)."""
    from costcalc.corpus import load_corpus

    corpus = load_corpus("bundled")
    tok = get_tokenizer(tokenizer)
    docs = corpus.aligned([lang, "en"])
    return sum(tok.count(corpus.by_lang[lang][d]) for d in docs)


@pytest.mark.parametrize("truth", ["openai:cl100k_base", "meta:llama-3", "mistral:tekken"])
def test_anthropic_end_to_end_report_matches_the_vendor_tokenizer(truth, pricing, tmp_path):
    counter = get_tokenizer(truth)
    fake = Behaviour(count=counter.count, overhead=7, key="k", models=(SONNET,), rate_limit_first=3)
    server, url = serve("anthropic", fake)
    try:
        out = tmp_path / "cal.yaml"
        result = invoke("calibrate", "anthropic", "--model", SONNET, "--api-base", url, "-l", "it", "-l", "ja",
                        "--output", str(out), "--pricing-dir", str(pricing), env={"ANTHROPIC_API_KEY": "k"})
        assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
    # every request had the real shape and headers; the key never reached the output or the file
    first = fake.requests[0]
    assert first["path"] == "/v1/messages/count_tokens" and first["headers"]["x-api-key"] == "k"
    assert first["headers"]["anthropic-version"] == "2023-06-01"
    assert "k\n" not in out.read_text() and "x-api-key" not in result.output
    report = invoke("report", "-m", f"anthropic/{SONNET}", "-m", "openai/gpt-5", "-l", "it", "-l", "ja",
                    "--as-of", "2026-11-01", "--calibrations", str(out), "--format", "json",
                    "--pricing-dir", str(pricing))
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    for lang in ("it", "ja"):
        row = next(r for r in data["absolute"] if r["offering"] == f"anthropic/{SONNET}" and r["language"] == lang)
        want = corpus_tokens(truth, lang)
        assert abs(row["tokens"] / want - 1) < 0.005, (lang, row["tokens"], want)
        assert row["exact"] is False and "vendor-count" in row["calibration"] and "cal.yaml" in row["calibration"]
        used = data["provenance"]["tokenizers"]["anthropic:claude-3"]["calibration"][lang]
        assert used["method"] == "vendor-count" and used["language_specific"] and used["origin"] == "cal.yaml"
        assert Decimal(used["overhead_tokens"]) == 7


@pytest.fixture
def gemma_installed(tmp_path, monkeypatch):
    """google:gemma installed on demand; its file here is a small stand-in vocabulary (Claude 2's), which is
    all the calibration arithmetic needs from a base tokenizer."""
    from costcalc.tokenizers import assets, registry

    folder = tmp_path / "tokenizers"
    folder.mkdir()
    data = assets.read_asset("anthropic:claude-2")
    (folder / "google-gemma.tokenizer.json").write_bytes(data)
    (folder / "google-gemma.tokenizer.json.json").write_text(json.dumps(
        {"sha256": assets.sha256_hex(data), "vocab_size": 65000, "source": {"package": "test"}}))
    monkeypatch.setenv("COSTCALC_TOKENIZERS_DIR", str(folder))
    registry.clear_cache()
    yield
    registry.clear_cache()


def test_gemini_client_real_shape_and_resume_without_recounting(pricing, tmp_path, gemma_installed):
    counter = get_tokenizer("meta:llama-3")
    fake = Behaviour(count=counter.count, overhead=3, key="g", models=("gemini-2.5-flash",))
    server, url = serve("gemini", fake)
    try:
        args = ("calibrate", "gemini", "--model", "gemini-2.5-flash", "--family", "google:gemini-2",
                "--api-base", url, "-l", "de", "--format", "json")
        first = invoke(*args, env={"GEMINI_API_KEY": "g"})
        assert first.exit_code == 0, first.output
        made = len(fake.requests)
        assert fake.requests[0]["path"] == "/v1beta/models/gemini-2.5-flash:countTokens"
        assert fake.requests[0]["headers"]["x-goog-api-key"] == "g"
        again = invoke(*args, env={"GOOGLE_API_KEY": "g"})
        assert again.exit_code == 0 and len(fake.requests) == made  # answered from the cache
    finally:
        server.shutdown()
    entry = json.loads(first.output)[0]
    assert entry["family"] == "google:gemini-2" and entry["base"] == "google:gemma"
    assert entry["method"] == "vendor-count" and Decimal(entry["overhead_tokens"]) == 3
    assert json.loads(again.output) == json.loads(first.output)


def test_apply_appends_to_the_shipped_tables_and_keeps_them_valid(pricing, tmp_path):
    fake = Behaviour(count=get_tokenizer("openai:cl100k_base").count, key="k")
    server, url = serve("anthropic", fake)
    shipped = (pricing / "calibrations" / "published.yaml").read_bytes()
    try:
        for _ in range(2):
            result = invoke("calibrate", "anthropic", "--model", SONNET, "--api-base", url, "-l", "fr", "--apply",
                            "--pricing-dir", str(pricing), env={"ANTHROPIC_API_KEY": "k"})
            assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
    measured = (pricing / "calibrations" / "measured.yaml").read_text()
    assert measured.count("- family: anthropic:claude-3") == 2  # appended, never replaced
    assert (pricing / "calibrations" / "published.yaml").read_bytes() == shipped
    assert invoke("prices", "validate", str(pricing)).exit_code == 0


@pytest.mark.parametrize("case, env, want, code", [
    ("no key", {}, "set ANTHROPIC_API_KEY", 2),
    ("wrong key", {"ANTHROPIC_API_KEY": "wrong-secret-123"}, "HTTP 401: the API key was refused", 1),
    ("unknown model", {"ANTHROPIC_API_KEY": "k"}, "HTTP 404: unknown model", 1),
    ("429 storm", {"ANTHROPIC_API_KEY": "k"}, "HTTP 429: still rate-limited", 1),
    ("not json", {"ANTHROPIC_API_KEY": "k"}, "the answer is not JSON", 1),
    ("negative", {"ANTHROPIC_API_KEY": "k"}, "expected a non-negative integer 'input_tokens'", 1),
])
def test_vendor_failures_are_one_line_and_leave_no_file(case, env, want, code, pricing, tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    fake = Behaviour(count=len, key="k", models=("other-model",) if case == "unknown model" else (SONNET,),
                     rate_limit_first=10_000 if case == "429 storm" else 0,
                     answer={"not json": "not-json", "negative": "negative"}.get(case))
    server, url = serve("anthropic", fake)
    out = tmp_path / "cal.yaml"
    try:
        result = invoke("calibrate", "anthropic", "--model", SONNET, "--api-base", url, "-l", "it", "--retries",
                        "2", "--concurrency", "1", "--output", str(out), "--pricing-dir", str(pricing), env=env)
    finally:
        server.shutdown()
    assert result.exit_code == code, result.output
    assert want in result.output and len(result.output.strip().splitlines()) <= 2
    assert "wrong-secret-123" not in result.output and not out.exists()


# --- usage logs ---

def _sentences() -> list[str]:
    from costcalc.corpus import load_corpus

    corpus = load_corpus("bundled")
    return [line for doc in corpus.by_lang["en"].values() for line in doc.split("\n") if len(line) > 20]


def _log(path: Path, seed: int, n: int, factor: float, overhead: int, language: str | None = None) -> Path:
    rng = random.Random(seed)
    sentences = _sentences()
    base = get_tokenizer("openai:o200k_base")
    with path.open("a", encoding="utf-8") as f:
        for _ in range(n):
            text = " ".join(rng.sample(sentences, rng.randint(1, 12)))
            billed = round(overhead + factor * base.count(text) + rng.gauss(0, 3))
            row = {"text": text, "input_tokens": billed, **({"language": language} if language else {})}
            f.write(json.dumps(row) + "\n")
    return path


def test_usage_fit_interval_covers_the_truth_in_most_seeded_runs(tmp_path):
    from costcalc.calibrate.usage import calibrate_usage

    truth, covered, runs = 1.23, 0, 40
    for seed in range(runs):
        log = _log(tmp_path / f"log{seed}.jsonl", seed, 40, truth, 11)
        (entry,), _ = calibrate_usage(log, "anthropic:claude-3", model=SONNET)
        covered += entry.factor_low <= Decimal(str(truth)) <= entry.factor_high
        assert abs(entry.factor - Decimal("1.23")) < Decimal("0.05") and abs(entry.overhead_tokens - 11) < 8
        assert entry.method == "usage-log" and entry.documents == 40 and entry.language == "*"
    assert covered >= 0.9 * runs, covered


def test_usage_cli_per_language_and_report_uses_it(pricing, tmp_path):
    log = _log(tmp_path / "usage.jsonl", 1, 30, 1.4, 5, "it")
    _log(log, 2, 25, 1.1, 5, "de")
    _log(log, 3, 5, 1.1, 5, "fr")  # too few: left out, and said so
    out = tmp_path / "cal.yaml"
    result = invoke("calibrate", "usage", str(log), "--model", SONNET, "--output", str(out),
                    "--pricing-dir", str(pricing))
    assert result.exit_code == 0, result.output
    assert "left out: fr: 5 requests" in result.output
    from costcalc.calibrate import load_set

    cal = load_set([out], pricing)
    assert abs(cal.resolve("anthropic:claude-3", "it").factor - Decimal("1.4")) < Decimal("0.03")
    assert abs(cal.resolve("anthropic:claude-3", "de").factor - Decimal("1.1")) < Decimal("0.03")
    assert cal.resolve("anthropic:claude-3", "fr").origin == "shipped"
    counted = invoke("count", "-", "-m", f"anthropic/{SONNET}", "-l", "it", "--calibrations", str(out),
                     "--pricing-dir", str(pricing), "--as-of", "2026-11-01", "--format", "json",
                     input="Ciao a tutti, come state?")
    row = json.loads(counted.output)[0]
    assert row["exact"] is False and row["calibration"]["method"] == "usage-log"
    assert row["calibration"]["calibrated_language"] == "it"


@pytest.mark.parametrize("lines, want", [
    (['{"text": "hi"}'], "no 'input_tokens' field"),
    (['{"text": "hi", "input_tokens": "many"}'], "'input_tokens' is not a non-negative whole number"),
    (['{"input_tokens": 3}'], "no 'text' field"),
    (['not json'], "line 1: not a JSON object"),
    (['{"text": "hi", "input_tokens": 3}'] * 5, "5 usable request(s); a fit needs at least 20"),
])
def test_usage_bad_input_is_one_line_and_writes_nothing(lines, want, tmp_path, pricing):
    log = tmp_path / "bad.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "cal.yaml"
    result = invoke("calibrate", "usage", str(log), "--model", SONNET, "--output", str(out),
                    "--pricing-dir", str(pricing))
    assert result.exit_code == 1 and want in result.output, result.output
    assert not out.exists()


def test_usage_undecodable_text_is_named(tmp_path, pricing):
    log = tmp_path / "bad.jsonl"
    log.write_bytes(b'{"text": "ok", "input_tokens": 3}\n{"text": "\xff\xfe", "input_tokens": 3}\n')
    result = invoke("calibrate", "usage", str(log), "--model", SONNET, "--pricing-dir", str(pricing))
    assert result.exit_code == 1 and "bad.jsonl, line 2: not UTF-8 text" in result.output


# --- Vertex (google-auth application-default credentials) and Bedrock (boto3, AWS credential chain) ---

def _expected_factor(truth: str, base: str, lang: str) -> Decimal:
    from costcalc.corpus import load_corpus

    texts = [t for t in load_corpus("bundled").by_lang[lang].values() if t.strip()]
    t, b = get_tokenizer(truth), get_tokenizer(base)
    return Decimal(sum(t.count(x) for x in texts)) / Decimal(sum(b.count(x) for x in texts))


def test_vertex_client_uses_application_default_credentials(pricing, tmp_path, monkeypatch, gemma_installed):
    fake = Behaviour(count=get_tokenizer("openai:cl100k_base").count, overhead=4, key="ya29.fake-token",
                     models=("gemini-2.5-pro",))
    server, url = serve("vertex", fake)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    creds = tmp_path / "service-account.json"  # a service account whose token endpoint is the fake's
    creds.write_text(json.dumps({"type": "service_account", "project_id": "demo-project", "private_key_id": "1",
                                 "private_key": key, "client_email": "calibrate@demo-project.iam.gserviceaccount.com",
                                 "client_id": "1", "token_uri": f"{url}/token"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(creds))
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    try:
        result = invoke("calibrate", "vertex", "--model", "gemini-2.5-pro", "--family", "google:gemini-2",
                        "--api-base", url, "--location", "europe-west4", "-l", "ko", "--format", "json")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert fake.requests[0]["path"] == ("/v1/projects/demo-project/locations/europe-west4/publishers/google/"
                                        "models/gemini-2.5-pro:countTokens")
    assert fake.requests[0]["headers"]["Authorization"] == "Bearer ya29.fake-token"
    (entry,) = json.loads(result.output)
    want = _expected_factor("openai:cl100k_base", "google:gemma", "ko")
    assert abs(Decimal(entry["factor"]) / want - 1) < Decimal("0.0001") and Decimal(entry["overhead_tokens"]) == 4
    assert "ya29" not in result.output


def test_bedrock_client_uses_the_aws_credential_chain(pricing, tmp_path, monkeypatch):
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    fake = Behaviour(count=get_tokenizer("mistral:tekken").count, overhead=9, models=(model,))
    server, url = serve("bedrock", fake)
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
                        "AWS_REGION": "us-west-2", "AWS_EC2_METADATA_DISABLED": "true",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")
                        }.items():
        monkeypatch.setenv(name, value)
    try:
        result = invoke("calibrate", "bedrock", "--model", model, "--family", "anthropic:claude-3",
                        "--api-base", url, "-l", "pt", "--format", "json")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert fake.requests[0]["path"] == "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens"
    assert "/us-west-2/bedrock/aws4_request" in fake.requests[0]["headers"]["Authorization"]
    (entry,) = json.loads(result.output)
    want = _expected_factor("mistral:tekken", "openai:o200k_base", "pt")
    assert abs(Decimal(entry["factor"]) / want - 1) < Decimal("0.0001") and Decimal(entry["overhead_tokens"]) == 9
    assert "aws-secret-value" not in result.output


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_every_format_says_a_closed_family_is_an_estimate_and_how_it_was_calibrated(fmt, pricing):
    result = invoke("report", "-m", f"anthropic/{SONNET}", "-m", "openai/gpt-5", "-l", "it", "--as-of",
                    "2026-11-01", "--format", fmt, "--pricing-dir", str(pricing))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "estimate, calibrated published 2025-05-01" in text and "language-agnostic, applied to it" in text
    if fmt == "md":
        assert "ESTIMATE: the vendor" in text
