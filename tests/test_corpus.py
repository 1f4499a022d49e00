"""Corpus loaders (bundled layout, line-aligned, FLORES-200, JSONL, single file, stdin) and their bad inputs."""

from __future__ import annotations

import json

import pytest

from costcalc.corpus import load_corpus
from costcalc.errors import InputError
from costcalc.languages import normalize


def test_layout_directory(tmp_path):
    for lang, text in {"en": "Hello.", "it": "Ciao.", "zh-Hans": "你好。"}.items():
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "greeting.txt").write_text(text, encoding="utf-8")
    (tmp_path / "en" / "extra.txt").write_text("Only in English.", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.languages == ("en", "it", "zh-Hans")
    assert corpus.by_lang["zh-Hans"]["greeting"] == "你好。"
    assert corpus.aligned(["en", "it"]) == ["greeting"]
    assert corpus.missing() == {"it": ["extra"], "zh-Hans": ["extra"]}


def test_line_aligned_files(tmp_path):
    (tmp_path / "en.txt").write_text("One.\nTwo.\n", encoding="utf-8")
    (tmp_path / "de.txt").write_text("Eins.\nZwei.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.by_lang == {"en": {"000001": "One.", "000002": "Two."}, "de": {"000001": "Eins.", "000002": "Zwei."}}


def test_flores_devtest_files_map_to_bcp47(tmp_path):
    (tmp_path / "eng_Latn.devtest").write_text("A cat.\nA dog.\n", encoding="utf-8")
    (tmp_path / "zho_Hans.devtest").write_text("一只猫。\n一只狗。\n", encoding="utf-8")
    (tmp_path / "ita_Latn.devtest").write_text("Un gatto.\nUn cane.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.languages == ("en", "it", "zh-Hans")
    assert corpus.aligned(["en", "zh-Hans"]) == ["000001", "000002"]


def test_jsonl(tmp_path):
    rows = [{"lang": "en", "id": "a", "text": "Hi"}, {"lang": "fr", "id": "a", "text": "Salut"}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    corpus = load_corpus(tmp_path / "c.jsonl")
    assert corpus.by_lang == {"en": {"a": "Hi"}, "fr": {"a": "Salut"}}
    assert load_corpus(tmp_path).by_lang == corpus.by_lang


def test_single_file_and_bom(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes("\ufeffCiao".encode())
    corpus = load_corpus(path, lang="it")
    assert corpus.by_lang == {"it": {"note": "Ciao"}}


@pytest.mark.parametrize(("code", "expected"), [
    ("it", "it"), ("IT", "it"), ("zh-hans", "zh-Hans"), ("pt_BR", "pt-BR"), ("zho_Hans", "zh-Hans"),
    ("eng_Latn", "en"), ("fao_Latn", "fao-Latn"), ("es-419", "es-419"),
])
def test_language_codes(code, expected):
    assert normalize(code) == expected


BAD = [
    ("misaligned", {"en.txt": "One.\nTwo.\n", "de.txt": "Eins.\n"},
     r"different line counts \(de: 1, en: 2\)"),
    ("unmappable language", {"english.txt": "One.\n"},
     r"cannot read language code 'english' .*use BCP-47 \(it, pt-BR, zh-Hans\) or FLORES-200"),
    ("empty file", {"en.txt": ""}, r"is empty: no text found"),
    ("not json", {"c.jsonl": '{"lang": "en", "id": "a", "text": "ok"}\n{"lang": "en", "text": \n'},
     r"c\.jsonl:2: not JSON"),
    ("jsonl without field", {"c.jsonl": '{"lang": "en", "id": "a"}\n'}, r"c\.jsonl:1: needs string fields"),
]


@pytest.mark.parametrize(("case", "files", "pattern"), BAD, ids=[b[0] for b in BAD])
def test_bad_corpora(tmp_path, case, files, pattern):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=pattern):
        load_corpus(tmp_path)


def test_non_utf8_names_file_and_byte_offset(tmp_path):
    (tmp_path / "en.txt").write_bytes(b"caf\xe9 ok\n")
    with pytest.raises(InputError, match=r"en\.txt: not valid UTF-8 at byte offset 3"):
        load_corpus(tmp_path)


def test_binary_file(tmp_path):
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    with pytest.raises(InputError, match=r"looks like a binary file \(NUL byte at offset 8\)"):
        load_corpus(tmp_path / "blob.txt")


def test_empty_directory_and_unknown_source(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        load_corpus(tmp_path)
    with pytest.raises(InputError, match=r"no corpus 'costcalc-paralel-v1'.*did you mean: costcalc-parallel-v1"):
        load_corpus("costcalc-paralel-v1")


def test_unknown_language_lists_those_available(tmp_path):
    (tmp_path / "en.txt").write_text("One.\n", encoding="utf-8")
    (tmp_path / "it.txt").write_text("Uno.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    with pytest.raises(InputError, match=r"language 'ja' is not in corpus .*available: en, it"):
        corpus.require_languages(["ja"])
