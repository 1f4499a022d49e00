from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from costcalc.cli import cli

FX = """\
base: EUR
quote: USD
source: "ECB reference rates (test excerpt)"
rates:
  2023-12-11: 1.0757
  2023-12-13: 1.0787
  2023-12-14: 1.0919
  2023-12-15: 1.0946
  2024-02-26: 1.0852
"""

MISTRAL = """\
provider: mistral
name: Mistral AI
pricing_url: https://mistral.ai/pricing
models:
  - id: mistral-medium-2312
    name: Mistral Medium
    tokenizer: mistral:spm
    aliases: [mistral-medium]
    until: 2025-06-16
    prices:
      - from: 2023-12-11
        currency: EUR
        input: 2.5
        output: 7.5
        source: [mistral-docs-2024-01-03]
        confidence: high
      - from: 2024-02-26
        currency: USD
        input: 2.7
        output: 8.1
        source: [mistral-docs-2024-02-26]
        confidence: high
    checked: 2026-11-22
"""

BEDROCK = """\
provider: aws-bedrock
name: Amazon Bedrock
pricing_url: https://aws.amazon.com/bedrock/pricing/
region: us-east-1
models:
  - id: meta.llama2-70b-chat-v1
    name: Llama 2 Chat 70B
    tokenizer: meta:llama-2
    prices:
      - from: 2023-12-14
        currency: USD
        input: 1.95
        output: 2.56
        source: [litellm-1.14.4]
        confidence: high
    checked: 2026-11-22
  - id: anthropic.claude-3-sonnet
    name: Claude Sonnet (tiered, test)
    tokenizer: estimate:anthropic:claude-2
    prices:
      - from: 2024-03-04
        currency: USD
        input: 3
        output: 15
        cached_input: 0.3
        tiers:
          - above: 200000
            input: 6
            output: 22.5
        source: [genai-prices-0.2.3]
        confidence: medium
    checked: 2026-11-22
"""


SOURCES = """\
sources:
  - id: mistral-docs-2024-01-03
    title: "Mistral AI platform docs: Pricing"
    publisher: Mistral AI
    url: https://github.com/mistralai/platform-docs-public/blob/55483de4d453c025c840ff234f66247ceefea0aa/docs/platform/05-pricing.md
    retrieved: 2024-01-03
    commit: 55483de4d453c025c840ff234f66247ceefea0aa
  - id: mistral-docs-2024-02-26
    title: "Mistral AI platform docs: Pricing with USD prices"
    publisher: Mistral AI
    url: https://github.com/mistralai/platform-docs-public/blob/c61c0b4e163805e0100099970b88da9f5d5bbaa1/docs/platform/05-pricing.md
    retrieved: 2024-02-26
  - id: litellm-1.14.4
    title: "litellm 1.14.4, model_prices_and_context_window_backup.json"
    publisher: BerriAI
    url: https://pypi.org/project/litellm/1.14.4/
    retrieved: 2023-12-14
    version: "1.14.4"
  - id: genai-prices-0.2.3
    title: "genai-prices 0.2.3, price data"
    publisher: Pydantic
    url: https://pypi.org/project/genai-prices/0.2.3/
    retrieved: 2026-11-10
    version: "0.2.3"
  - id: test
    title: "Test prices (not real)"
    publisher: costcalc tests
    url: https://example.invalid/test-prices
    retrieved: 2026-11-22
"""


def write_pricing(root: Path, files: dict[str, str], fx: str = FX, sources: str = SOURCES) -> Path:
    (root / "providers").mkdir(parents=True, exist_ok=True)
    (root / "fx.yaml").write_text(fx, encoding="utf-8")
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    (root / "VERSION").write_text("2026.11.22\n", encoding="utf-8")
    for name, text in files.items():
        (root / "providers" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def _session_dirs(tmp_path_factory) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("no-optional-tokenizers")


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch, _session_dirs) -> None:
    """Never read or write the user's caches, nor see optional tokenizers they installed."""
    cache, tokenizers = _session_dirs
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(cache))
    monkeypatch.setenv("COSTCALC_TOKENIZERS_DIR", str(tokenizers))


@pytest.fixture
def pricing_dir(tmp_path: Path) -> Path:
    return write_pricing(tmp_path / "pricing", {"mistral": MISTRAL, "aws-bedrock": BEDROCK})


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
