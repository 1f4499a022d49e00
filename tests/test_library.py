"""The library API as the README shows it: returns data (DataFrames, Decimals), never prints."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

import costcalc

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_library_snippet_runs(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path))
    code = re.search(r"## Library.*?```python\n(.*?)```", README.read_text(), re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert capsys.readouterr().out == ""  # the library never prints
    assert namespace["quote"].input == Decimal("2.72975")
    m = namespace["m"]
    assert isinstance(m.relative, pd.DataFrame) and set(m.relative.columns) == {
        "language", "offering", "base", "ratio", "exact"}
    assert m.matrix("it").shape == (7, 7)
    assert isinstance(namespace["counts"], pd.DataFrame) and len(namespace["counts"]) == 2 * 27 * 7


def test_compare_default_is_the_published_comparison(monkeypatch, tmp_path):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path))
    m = costcalc.compare()
    assert m.languages == ["it"] and m.base == "mistral/mistral-medium-2312"
    assert str(m.provenance.as_of) == "2023-12-14"
    ratios = m.relative.set_index("offering")["ratio"]
    # The published figures read cost(Mistral Medium) / cost(other), the inverse of `ratio`; the README promises
    # every exact-tokenizer cell within 5% of them.
    exact = [ref for ref in m.published if m.relative.set_index("offering").loc[ref, "exact"]]
    assert len(exact) == 5
    for ref in exact:
        assert abs((1 / ratios[ref]) / m.published[ref] - 1) < 0.05, (ref, 1 / ratios[ref], m.published[ref])


def test_public_names_are_all_exported():
    assert sorted(costcalc.__all__) == sorted(n for n in costcalc.__all__ if getattr(costcalc, n, None) is not None)
