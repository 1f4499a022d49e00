"""Regenerate the example reports in reports/ (tests/test_example_reports.py fails when they are stale).

    python scripts/build_reports.py

Each example is exactly `costcalc <args>` as listed below (and in reports/README.md). They are built with the
bundled tokenizers only (COSTCALC_TOKENIZERS_DIR points at an empty directory), so optional tokenizers a
machine may have installed do not change them; offerings that need one are listed as left out.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EXAMPLES: dict[str, list[str]] = {
    "italian-2023-12-14.md": ["report"],
    "italian-2023-12-14.html": ["report", "--format", "html"],
    "italian-2023-12-14.json": ["report", "--format", "json"],
    "current-2026-11-22.md": ["report", "--preset", "current", "--as-of", "2026-11-22"],
    "current-2026-11-22.html": ["report", "--preset", "current", "--as-of", "2026-11-22", "--format", "html"],
    "premiums.txt": ["premiums"],
}


def render(args: list[str]) -> str:
    """stdout of `costcalc <args>` with no caches and no optional tokenizers."""
    from click.testing import CliRunner

    from costcalc.cli import cli

    with tempfile.TemporaryDirectory() as empty:
        env = {"COSTCALC_CACHE_DIR": "", "COSTCALC_TOKENIZERS_DIR": empty}
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"costcalc {' '.join(args)} failed: {result.output}")
    return result.stdout


def main() -> None:
    sys.path.insert(0, str(ROOT))
    for name, args in EXAMPLES.items():
        (ROOT / "reports" / name).write_text(render(args), encoding="utf-8")
        print(f"reports/{name}: costcalc {' '.join(args)}")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
