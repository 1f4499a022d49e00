"""`costcalc premiums` and `costcalc corpus`: output shapes, FLORES-style input, bad input."""

from __future__ import annotations

import json

from costcalc.tokenizers import get_tokenizer


def _flores(tmp_path):
    (tmp_path / "eng_Latn.devtest").write_text("The cat sleeps.\nIt is raining today.\n", encoding="utf-8")
    (tmp_path / "ita_Latn.devtest").write_text("Il gatto dorme.\nOggi piove.\n", encoding="utf-8")
    (tmp_path / "hin_Deva.devtest").write_text("बिल्ली सो रही है।\nआज बारिश हो रही है।\n", encoding="utf-8")
    return tmp_path


def test_premiums_on_flores_files_without_conversion(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    result = run("premiums", "--corpus", str(_flores(tmp_path)), "-t", "openai:cl100k_base", "-t", "mistral:spm",
                 "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    rows = {(r["language"], r["tokenizer"]): r for r in json.loads(result.stdout)}
    assert {"language", "tokenizer", "tokens", "premium", "exact"} <= set(next(iter(rows.values())))
    tok = get_tokenizer("openai:cl100k_base")
    it = tok.count("Il gatto dorme.") + tok.count("Oggi piove.")
    en = tok.count("The cat sleeps.") + tok.count("It is raining today.")
    assert rows[("it", "openai:cl100k_base")]["tokens"] == it
    assert rows[("it", "openai:cl100k_base")]["premium"] == round(it / en, 4)
    assert rows[("hi", "mistral:spm")]["premium"] > 2


def test_premiums_table_and_language_filter(run, monkeypatch, tmp_path):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path))
    result = run("premiums", "-t", "openai:o200k_base", "-l", "it", "-l", "ja")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:4]] == ["it", "ja"]
    assert "Corpus costcalc-parallel-v1" in result.stdout


def test_premiums_without_english_needs_reference(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    (tmp_path / "de.txt").write_text("Hallo.\n", encoding="utf-8")
    (tmp_path / "it.txt").write_text("Ciao.\n", encoding="utf-8")
    result = run("premiums", "--corpus", str(tmp_path), "-t", "openai:cl100k_base")
    assert result.exit_code == 1 and "--reference LANG" in result.stderr
    result = run("premiums", "--corpus", str(tmp_path), "-t", "openai:cl100k_base", "--reference", "de",
                 "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[2].startswith("it,openai:cl100k_base,1,")


def test_premiums_unknown_tokenizer_and_language(run):
    result = run("premiums", "-t", "openai:o200k")
    assert result.exit_code == 2 and "did you mean: openai:o200k_base" in result.stderr
    result = run("premiums", "-l", "klingon")
    assert result.exit_code == 2 and "cannot read language code 'klingon'" in result.stderr


def test_corpus_list_and_stats(run, tmp_path):
    listing = json.loads(run("corpus", "list", "--format", "json").stdout)
    assert listing[0]["name"] == "costcalc-parallel-v1" and listing[0]["languages"] >= 27
    stats = json.loads(run("corpus", "stats", str(_flores(tmp_path)), "--format", "json").stdout)
    assert stats["aligned_documents"] == 2 and [r["language"] for r in stats["languages"]] == ["en", "hi", "it"]


def test_corpus_stats_reports_misalignment(run, tmp_path):
    for lang in ("en", "it"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "en" / "b.txt").write_text("y", encoding="utf-8")
    result = run("corpus", "stats", str(tmp_path))
    assert result.exit_code == 0 and "2 document ids, 1 present in every language" in result.stdout
    stats = json.loads(run("corpus", "stats", str(tmp_path), "--format", "json").stdout)
    got = [(r["language"], r["documents"], r["missing"]) for r in stats["languages"]]
    assert got == [("en", 2, ""), ("it", 1, "b")]


def test_premiums_plot_writes_a_png(run, tmp_path):
    out = tmp_path / "p.png"
    result = run("premiums", "--corpus", str(_flores(tmp_path)), "-t", "openai:cl100k_base", "-t", "meta:llama-3",
                 "--plot", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"Wrote {out}" in result.stderr
