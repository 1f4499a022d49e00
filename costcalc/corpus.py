"""Parallel corpora: the same content in several languages, as (language, document id, text) triples.

Accepted sources (`load_corpus`):
* a bundled set by name (`bundled` = costcalc-parallel-v1), or a directory in the same layout:
  `<dir>/<lang>/<doc>.txt`, the same <doc> names in every language = the same content;
* a directory of line-aligned files, one per language: `<lang>.txt` or FLORES-200 style `eng_Latn.devtest`,
  `eng_Latn.dev`, `eng_Latn.txt` (line i is the same sentence in every file; ids are line numbers);
* JSONL files (`*.jsonl`, or a directory of them): one object per line with `lang`, `id`, `text`;
* one plain-text file or `-` (stdin): a one-language corpus (`lang` given by the caller, default `und`).

Text is decoded as strict UTF-8 (a BOM is dropped); undecodable bytes name the file and byte offset.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from costcalc._paths import data_dir
from costcalc.errors import InputError, UsageError, closest
from costcalc.languages import normalize, suggest

BUNDLED = "costcalc-parallel-v1"
LINE_ALIGNED_SUFFIXES = (".txt", ".devtest", ".dev")


@dataclass(frozen=True)
class Document:
    lang: str
    doc: str
    text: str

    def __repr__(self) -> str:
        preview = self.text[:40] + ("..." if len(self.text) > 40 else "")
        return f"<Document {self.lang}/{self.doc}: {len(self.text):,} chars, {preview!r}>"


@dataclass(frozen=True)
class Corpus:
    name: str
    documents: tuple[Document, ...]
    origin: str
    descriptions: tuple[tuple[str, str], ...] = ()  # (document id, genre) from the set's manifest

    def __repr__(self) -> str:
        return (f"<Corpus {self.name!r}: {len(self.languages)} languages, {len(self.doc_ids)} documents, "
                f"{self.chars:,} chars, from {self.origin}>")

    @cached_property
    def chars(self) -> int:
        return sum(len(d.text) for d in self.documents)

    def language_stats(self) -> list[dict[str, object]]:
        """One row per language: documents, characters, UTF-8 bytes and the document ids it lacks."""
        from costcalc.languages import name

        missing = self.missing()
        return [{"language": lang, "name": name(lang), "documents": len(docs),
                 "chars": sum(len(t) for t in docs.values()),
                 "bytes": sum(len(t.encode("utf-8")) for t in docs.values()),
                 "missing": ", ".join(missing.get(lang, []))} for lang, docs in sorted(self.by_lang.items())]

    @cached_property
    def genres(self) -> dict[str, str]:
        """{document id: what genre it is}: each parallel document is one genre; the ids are the vocabulary."""
        described = dict(self.descriptions)
        return {doc: described.get(doc, doc) for doc in self.doc_ids}

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({d.lang for d in self.documents}))

    @cached_property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(sorted({d.doc for d in self.documents}))

    @cached_property
    def by_lang(self) -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = defaultdict(dict)
        for d in self.documents:
            table[d.lang][d.doc] = d.text
        return dict(table)

    @cached_property
    def sha256(self) -> str:
        """Content hash over every (lang, doc, text): what a report cites as the corpus it used."""
        digest = hashlib.sha256()
        for d in sorted(self.documents, key=lambda d: (d.lang, d.doc)):
            digest.update(f"{d.lang}\0{d.doc}\0".encode() + d.text.encode() + b"\0")
        return digest.hexdigest()

    def aligned(self, languages: list[str] | tuple[str, ...]) -> list[str]:
        """Document ids present in every one of `languages`."""
        sets = [set(self.by_lang.get(lang, {})) for lang in languages]
        return sorted(set.intersection(*sets)) if sets else []

    def missing(self) -> dict[str, list[str]]:
        """For each language, the document ids other languages have and it lacks."""
        return {lang: sorted(set(self.doc_ids) - set(docs)) for lang, docs in self.by_lang.items()
                if set(docs) != set(self.doc_ids)}

    def require_languages(self, languages: list[str]) -> list[str]:
        """Normalised language codes, each checked to be in the corpus."""
        out = []
        for code in languages:
            lang = normalize(code)
            if lang not in self.by_lang:
                hint = suggest(lang, self.languages) or f"available: {', '.join(self.languages)}"
                raise UsageError(f"language {code!r} is not in corpus {self.name!r}", hint)
            out.append(lang)
        return out


def decode(data: bytes, source: str, errors: str = "strict") -> str:
    """UTF-8 text of a file's bytes; a clear error with the byte offset when it is not UTF-8 text."""
    nul = data.find(b"\0", 0, 8192)
    if nul >= 0 and errors == "strict":
        raise InputError(f"{source}: looks like a binary file (NUL byte at offset {nul})", "pass a UTF-8 text file")
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise InputError(f"{source}: not valid UTF-8 at byte offset {e.start}",
                         "convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8") from None
    return text.removeprefix("\ufeff")


def _read(path: Path) -> str:
    try:
        return decode(path.read_bytes(), str(path))
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None


def bundled_sets() -> list[str]:
    root = data_dir("corpora")
    return sorted(p.name for p in root.iterdir() if (p / "manifest.yaml").is_file() or p.is_dir()) \
        if root.is_dir() else []


def _from_layout(root: Path, name: str, origin: str | None = None) -> Corpus:
    docs = []
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        lang = normalize(lang_dir.name, where=str(lang_dir))
        for path in sorted(lang_dir.glob("*.txt")):
            docs.append(Document(lang, path.stem, _read(path)))
    return Corpus(name, tuple(docs), origin or str(root), _manifest_genres(root))


def _manifest_genres(root: Path) -> tuple[tuple[str, str], ...]:
    path = root / "manifest.yaml"
    if not path.is_file():
        return ()
    from costcalc.corpus_manifest import CorpusManifest
    from costcalc.errors import PriceTableError
    from costcalc.prices.yamlio import read_validated

    try:
        manifest, _, problems = read_validated(path, CorpusManifest)
    except PriceTableError as e:  # unreadable or malformed YAML
        manifest, problems = None, [str(e)]
    if manifest is None:
        raise InputError(problems[0], "fix it as the bundled set's manifest.yaml shows, or remove it: it only "
                                      "names each document's genre")
    return tuple(manifest.documents.items())


def _line_file_lang(path: Path) -> str:
    return normalize(path.name.split(".")[0], where=str(path))


def _from_line_aligned(files: list[Path], name: str, origin: str) -> Corpus:
    columns: dict[str, list[str]] = {}
    for path in files:
        lang = _line_file_lang(path)
        if lang in columns:
            raise InputError(f"{path}: a second file for language {lang!r}", "keep one file per language")
        columns[lang] = _read(path).splitlines()
    counts = {lang: len(lines) for lang, lines in columns.items()}
    if len(set(counts.values())) > 1:
        listing = ", ".join(f"{lang}: {n}" for lang, n in sorted(counts.items()))
        raise InputError(f"line-aligned files in {origin} have different line counts ({listing})",
                         "line i must be the same sentence in every file; fix the files that differ")
    docs = [Document(lang, f"{i + 1:06d}", line) for lang, lines in columns.items()
            for i, line in enumerate(lines) if line.strip()]
    return Corpus(name, tuple(docs), origin)


def _from_jsonl(files: list[Path], name: str, origin: str) -> Corpus:
    docs, seen = [], set()
    for path in files:
        for number, line in enumerate(_read(path).splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{where}: not JSON ({e.msg})", "each line must be one JSON object") from None
            if not isinstance(obj, dict) or not all(isinstance(obj.get(k), str) for k in ("lang", "text")):
                raise InputError(f"{where}: needs string fields 'lang' and 'text' (and 'id')",
                                 'e.g. {"lang": "it", "id": "doc1", "text": "..."}')
            lang = normalize(obj["lang"], where=where)
            doc = str(obj.get("id", number))
            if (lang, doc) in seen:
                raise InputError(f"{where}: duplicate id {doc!r} for language {lang!r}")
            seen.add((lang, doc))
            docs.append(Document(lang, doc, obj["text"]))
    return Corpus(name, tuple(docs), origin)


def _check_not_empty(corpus: Corpus) -> Corpus:
    if not corpus.documents or not any(d.text.strip() for d in corpus.documents):
        raise InputError(f"corpus {corpus.origin} is empty: no text found",
                         "use <dir>/<lang>/<doc>.txt, <lang>.txt line files, FLORES *.devtest or *.jsonl")
    return corpus


def source_digest(source: str | Path) -> str | None:
    """sha256 over the bytes of every file a corpus source is read from (None for stdin, or a source that does
    not exist): equal digests mean equal corpora, computed without decoding anything."""
    if source == "-":
        return None
    path = Path(source)
    if isinstance(source, str) and not path.exists():
        path = data_dir("corpora") / (BUNDLED if source == "bundled" else source)
    if not path.exists():
        return None
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def load_corpus(source: str | Path = "bundled", *, lang: str = "und") -> Corpus:
    """Load a parallel corpus from a bundled set name, a directory, a JSONL or text file, or '-' (stdin)."""
    if source == "-":
        text = decode(sys.stdin.buffer.read(), "<stdin>")
        return _check_not_empty(Corpus("stdin", (Document(normalize(lang), "stdin", text),), "<stdin>"))
    if isinstance(source, str) and source in ("bundled", BUNDLED, *bundled_sets()) and not Path(source).exists():
        name = BUNDLED if source == "bundled" else source
        return _check_not_empty(_from_layout(data_dir("corpora") / name, name, origin=f"bundled:{name}"))
    path = Path(source)
    if not path.exists():
        sets = bundled_sets()
        raise UsageError(f"no corpus {str(source)!r}: not a bundled set nor a file or directory",
                         closest(str(source), sets) or f"bundled sets: {', '.join(sets)}")
    if path.is_file():
        if path.suffix == ".jsonl":
            return _check_not_empty(_from_jsonl([path], path.stem, str(path)))
        return _check_not_empty(Corpus(path.stem, (Document(normalize(lang), path.stem, _read(path)),), str(path)))
    jsonl = sorted(path.glob("*.jsonl"))
    lines = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in LINE_ALIGNED_SUFFIXES)
    if any(p.is_dir() for p in path.iterdir()) and not lines and not jsonl:
        return _check_not_empty(_from_layout(path, path.name))
    if jsonl:
        return _check_not_empty(_from_jsonl(jsonl, path.name, str(path)))
    if lines:
        return _check_not_empty(_from_line_aligned(lines, path.name, str(path)))
    return _check_not_empty(Corpus(path.name, (), str(path)))
