"""The bundled parallel corpus: complete, normalised, faithful in length, no English left, manifest in sync."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest
import yaml

from costcalc._paths import data_dir

ROOT = data_dir("corpora") / "costcalc-parallel-v1"
REQUIRED = ["en", "it", "de", "fr", "es", "pt", "nl", "pl", "ro", "cs", "hu", "fi", "sv", "el", "ru", "uk", "tr",
            "ar", "he", "hi", "zh-Hans", "ja", "ko", "vi", "sw", "id", "th"]
DOCS = ["business-email", "contract-clause", "marketing-copy", "news-report", "product-docs", "support-chat",
        "technical-code"]
# len(translation) / len(English) for prose; the code block (kept verbatim) pulls technical-code towards 1.
RATIO = {"zh-Hans": (0.25, 0.7), "ja": (0.3, 0.75), "ko": (0.35, 0.8), "ar": (0.7, 1.25), "he": (0.65, 1.2),
         "hi": (0.8, 1.4), "th": (0.7, 1.4)}
DEFAULT_RATIO = (0.85, 1.5)
ENGLISH_WORDS = re.compile(r"\b(the|and|with|your|you|this|that|from|will|have)\b", re.IGNORECASE)


def _files():
    return [(lang, doc) for lang in REQUIRED for doc in DOCS]


def _prose(text: str) -> str:
    """The text without fenced code blocks (code stays English by design)."""
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


def test_every_required_language_has_every_document():
    present = {p.name: sorted(f.stem for f in p.glob("*.txt")) for p in ROOT.iterdir() if p.is_dir()}
    missing = {lang: sorted(set(DOCS) - set(present.get(lang, []))) for lang in REQUIRED}
    assert {k: v for k, v in missing.items() if v} == {}
    assert all(len(f) >= 1500 for f in (ROOT / "en" / f"{d}.txt" for d in DOCS) for f in [f.read_text()])


@pytest.mark.parametrize(("lang", "doc"), _files())
def test_file_is_clean_utf8_nfc(lang, doc):
    data = (ROOT / lang / f"{doc}.txt").read_bytes()
    text = data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    assert unicodedata.is_normalized("NFC", text)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not re.search(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", text), "bidi control characters"


@pytest.mark.parametrize(("lang", "doc"), [f for f in _files() if f[0] != "en"])
def test_translation_is_complete_and_not_english(lang, doc):
    text = (ROOT / lang / f"{doc}.txt").read_text(encoding="utf-8")
    english = (ROOT / "en" / f"{doc}.txt").read_text(encoding="utf-8")
    low, high = RATIO.get(lang, DEFAULT_RATIO)
    ratio = len(_prose(text)) / len(_prose(english))
    assert low <= ratio <= high, f"{lang}/{doc}: length ratio {ratio:.2f} outside [{low}, {high}]"
    assert len(text.split("\n\n")) >= 0.8 * len(english.split("\n\n")), "paragraphs missing"
    leftovers = ENGLISH_WORDS.findall(_prose(text))
    assert len(leftovers) <= 1, f"{lang}/{doc}: English words left in prose: {leftovers}"


def test_manifest_matches_the_files():
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))
    assert set(manifest["documents"]) == set(DOCS)
    on_disk = {}
    for lang_dir in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        for path in sorted(lang_dir.glob("*.txt")):
            data = path.read_bytes()
            on_disk.setdefault(lang_dir.name, {})[path.stem] = {
                "chars": len(data.decode("utf-8")), "sha256": hashlib.sha256(data).hexdigest()}
    assert manifest["languages"] == on_disk, "regenerate: python scripts/build_corpus_manifest.py"
