"""Write corpora/<set>/manifest.yaml: genre and origin per document, chars and sha256 per file.

    python scripts/build_corpus_manifest.py [SET]

The descriptive part (GENRES, ORIGIN) lives here; the numbers are computed from the files, and
tests/test_corpus_data.py fails when the manifest and the files disagree.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1] / "corpora"

GENRES = {
    "support-chat": "customer-support chat transcript",
    "business-email": "business email",
    "contract-clause": "contract / regulatory clauses",
    "news-report": "news report",
    "product-docs": "product documentation / how-to",
    "marketing-copy": "marketing copy",
    "technical-code": "technical text with a Python code block and code comments",
}

HEADER = {
    "name": "costcalc-parallel-v1",
    "description": "Seven documents in the genres LLM workloads carry, written for costcalc in English and "
                   "translated into 26 languages; the same <doc> names in every language are the same content.",
    "licence": "CC0-1.0 (written for this project; no third-party text)",
    "origin": {
        "en": "original text written for costcalc (all people, companies and products are invented)",
        "translations": "translated from the English originals by an AI assistant working as a professional "
                        "translator, checked by script for completeness (length ratio per script), Unicode NFC "
                        "and no English left in prose; not reviewed by native speakers yet",
    },
    "normalization": "UTF-8, Unicode NFC, no BOM, LF line endings",
}


def build(name: str) -> dict:
    root = ROOT / name
    languages = {}
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        files = {}
        for path in sorted(lang_dir.glob("*.txt")):
            data = path.read_bytes()
            files[path.stem] = {"chars": len(data.decode("utf-8")), "sha256": hashlib.sha256(data).hexdigest()}
        languages[lang_dir.name] = files
    return {**HEADER, "name": name, "documents": GENRES, "languages": languages}


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else HEADER["name"]
    manifest = build(name)
    out = ROOT / name / "manifest.yaml"
    out.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    print(f"wrote {out}: {len(manifest['languages'])} languages")


if __name__ == "__main__":
    main()
