"""The example reports in reports/ are what their documented commands produce today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_reports", ROOT / "scripts" / "build_reports.py")
build_reports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_reports)


@pytest.mark.parametrize("name", sorted(build_reports.EXAMPLES))
def test_example_report_is_fresh(name):
    committed = (ROOT / "reports" / name).read_text(encoding="utf-8")
    assert build_reports.render(build_reports.EXAMPLES[name]) == committed, (
        f"reports/{name} is stale: run `python scripts/build_reports.py`")


def test_readme_lists_every_example():
    readme = (ROOT / "reports" / "README.md").read_text(encoding="utf-8")
    for name, args in build_reports.EXAMPLES.items():
        assert f"`costcalc {' '.join(args)}`" in readme and name in readme
