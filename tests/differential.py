"""The differential battery: texts on which a fast counter must give exactly the reference library's counts.

Used by tests/test_fastcount.py (every tokenizer the fast backend serves) and by benchmarks/eval_counters.py
(the candidate libraries). Everything is built from data in this repository, deterministically.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Counter = Callable[[str], int]

# Code points are swept in batches: each unit puts one code point after a letter, a digit, a space and
# punctuation, before a digit, a space, itself and a newline; `SWEEP_BATCH` units make one text (a mismatch
# names the batch's first code point).
SWEEP_BATCH = 2000
# Planes 0-3 and 14 hold every code point assigned up to Unicode 17, and all are swept. Planes 4-13 are
# unassigned and 15-16 private use: one code point in `SPARSE_STEP`, plus each plane's first and last two.
SPARSE_STEP = 61


def multilingual() -> list[str]:
    doc = json.loads((ROOT / "tests/data/tokenizers/multilingual.json").read_text(encoding="utf-8"))
    return [item["text"] for item in doc["texts"]]


def corpus_docs() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").glob("*/*/*.txt"))]


def corpus_lines() -> list[str]:
    return [line for doc in corpus_docs() for line in doc.splitlines(keepends=True)]


def code() -> list[str]:
    """Real source code: this project's Python, YAML, JSON, Markdown (whole files)."""
    files = sorted([*ROOT.glob("costcalc/**/*.py"), *ROOT.glob("pricing/**/*.yaml"), *ROOT.glob("docs/*.md"),
                    ROOT / "tests/data/tokenizers/multilingual.json"])
    return [p.read_text(encoding="utf-8") for p in files]


def adversarial() -> list[str]:
    ws = [" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b", "\x0b", "\x0c", "\u0085"]
    texts = [w * n + tail for w in ws for n in (1, 2, 3, 7, 64, 1000) for tail in ("", "x", "1", "!", " y")]
    texts += [f"a{w * n}b{w}" for w in ws for n in (1, 2, 5, 33)]
    texts += ["  \n\n  \t\n x", "x \n \n", "\n\n\n", " \r\n\r\n  \r", "end   ", "   lead", "a\u00a0\u00a0 b"]
    emoji = ["👩‍👩‍👧‍👦", "🏳️‍🌈", "🇮🇹🇯🇵", "👍🏽", "🧑🏿‍🚀", "❤️‍🔥", "1️⃣", "🫠🫡🫶", "👨‍💻 code", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]
    texts += [e * n for e in emoji for n in (1, 3, 50)] + ["".join(emoji), " ".join(emoji) + "!"]
    marks = ["e\u0301", "a\u0300\u0316\u0317\u0318", "\u0928\u093f", "\u0e01\u0e34\u0e4a", "\u05e9\u05c1\u05b8",
             "\u1100\u1161\u11a8", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358", "\u0644\u064e\u0651"]
    texts += [m * n for m in marks for n in (1, 10, 500)] + ["\u0301start", "x" + "\u0301" * 2000]
    surrogates = ["\ud800", "\udfff", "a\ud800b", "\udc00\ud800", "x\ud83d", "\ud83dx\ude00", "ok \ud800\udc00 ok",
                  "\ud800" * 100, "Hindi \u0939\u093f\ud800\u0928\u094d\u0926\u0940"]
    texts += surrogates
    specials = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>",
                "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|im_start|>", "[INST]", "[/INST]",
                "<s>", "</s>", "<unk>", "<|reserved_special_token_0|>", "<SPECIAL_10>", "[TOOL_CALLS]"]
    texts += [*specials, " ".join(specials), "".join(specials), "x<|endoftext|>y", "<|endoftext|" * 20]
    texts += ["'s 'S 'll 'LL 'Ve 're 'd 'M 't", "don't DON'T y'all", "12345678901234567890", "3.14159e-10",
              "$1,234.56 €7 ¥8", "https://example.com/a/b?c=d&e=f#g", "C:\\\\path\\\\to", "a/b/c//d///",
              "x" * 17, "\x00\x01\x02\x7f", "\ufeffBOM", "\ufffd\ufffd", "\U0010ffff\U000e0001"]
    return texts


def long_words(n: int = 100_000) -> list[str]:
    rng = random.Random(16)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["a" * n, "".join(rng.choice(letters) for _ in range(n)),
            "".join(rng.choice("абвгдежзийклмнопрстуфхцчшщъыьэюя") for _ in range(n)),
            "".join(rng.choice("0123456789") for _ in range(n)),
            "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(n)), "🙂" * (n // 4),
            "\u0928\u093f" * (n // 2), "!" * n, " " * n]


def invalid_utf8() -> list[str]:
    """Invalid UTF-8 as `--errors replace` decodes it (U+FFFD where the bytes are bad)."""
    raw = [b"ok \xff\xfe ok", b"\xc3\x28 \xa0\xa1", b"\xe2\x82 trunc", b"\xf0\x9f\x98", b"\xed\xa0\x80 surrogate",
           b"\xc0\xaf overlong", b"mix \xe4\xb8\xad\xff\xe6\x96\x87"]
    return [b.decode("utf-8", "replace") for b in raw]


def battery() -> list[tuple[str, list[str]]]:
    """(part, texts) of the natural and adversarial battery (the code-point sweep is separate)."""
    return [("multilingual", multilingual()), ("corpus", corpus_docs()), ("corpus-lines", corpus_lines()),
            ("code", code()), ("adversarial", adversarial()), ("100k-words", long_words()),
            ("invalid-utf8", invalid_utf8())]


def sweep_code_points() -> Iterator[int]:
    dense = [*range(0, 0x40000), *range(0xE0000, 0xF0000)]
    sparse = [c for plane in (*range(4, 14), 15, 16)
              for c in (*range(plane << 16, (plane + 1) << 16, SPARSE_STEP), (plane << 16) + 0xFFFE,
                        (plane << 16) + 0xFFFF)]
    yield from dense
    yield from sparse


def _unit(c: str) -> str:
    return f"a{c}1{c} {c}.{c}{c}\n"


def sweep_texts(code_points: Iterable[int] | None = None) -> Iterator[tuple[int, str]]:
    """(first code point, text) batches of the code-point sweep (surrogates included: they are replaced)."""
    batch: list[int] = []
    for cp in code_points if code_points is not None else sweep_code_points():
        batch.append(cp)
        if len(batch) == SWEEP_BATCH:
            yield batch[0], "".join(_unit(chr(c)) for c in batch)
            batch = []
    if batch:
        yield batch[0], "".join(_unit(chr(c)) for c in batch)


def mismatches(fast: Counter, reference: Counter, texts: Iterable[str], limit: int = 5) -> list[str]:
    """Up to `limit` descriptions of texts whose counts differ."""
    return _first_mismatches(fast, reference, ((f"{t[:40]!r}... ({len(t)} chars)", t) for t in texts), limit)


def sweep_mismatches(fast: Counter, reference: Counter, limit: int = 1) -> list[str]:
    """The same over the code-point sweep, each text named by the first code point of its batch."""
    return _first_mismatches(fast, reference, ((f"batch from U+{first:04X}", t) for first, t in sweep_texts()),
                             limit)


def _first_mismatches(fast: Counter, reference: Counter, named: Iterable[tuple[str, str]], limit: int) -> list[str]:
    found = []
    for name, text in named:
        got, want = fast(text), reference(text)
        if got != want:
            found.append(f"{name}: {got} != {want}")
            if len(found) >= limit:
                break
    return found
