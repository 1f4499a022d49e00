"""Count large UTF-8 inputs in bounded memory: decode block by block, cut at safe line boundaries, count each
batch of chunks with every tokenizer, sum.

Where chunks are cut: after a '\\n' whose neighbours on both sides are non-space characters ("...x\\nY...").
* Regex pre-tokenized BPE (cl100k, o200k, Llama 3/4, tekken, Claude-2's GPT-2 regex): no pre-token ever
  contains a newline followed by a non-space character, and whitespace runs never touch the cut, so the
  pre-tokens (and therefore the BPE tokens) of the chunks are exactly those of the whole text.
* SentencePiece (Llama 2, Mistral spm) adds a dummy '▁' at the start of every call; chunks after the first
  are counted as "\\n" + chunk minus count("\\n") (see BaseTokenizer.continuation_prefix), which is exact
  because no piece contains a newline.
Tests assert chunked == whole-text counts on the multilingual set for every shipped tokenizer. A text with
no such newline in `max_carry` characters (one giant line) is cut at the last newline, else the last space,
else anywhere; such fallback cuts can shift a count by a few tokens per cut, and are counted in
`TextStats.fallback_cuts`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from costcalc.errors import InputError, UsageError
from costcalc.tokenizers.base import Tokenizer

BLOCK_BYTES = 256 * 1024
BATCH_CHUNKS = 8  # chunks per batch call: lets tiktoken/sentencepiece/tokenizers use both cores
MAX_CARRY_CHARS = 4 * 1024 * 1024
_BOM = codecs.BOM_UTF8


@dataclass
class TextStats:
    chars: int = 0
    bytes: int = 0
    chunks: int = 0
    fallback_cuts: int = 0


def _safe_cut(buf: str) -> int:
    """Index just after the last '\\n' with a non-space character on both sides, or -1."""
    idx = buf.rfind("\n")
    while idx > 0:
        if idx + 1 < len(buf) and not buf[idx - 1].isspace() and not buf[idx + 1].isspace():
            return idx + 1
        idx = buf.rfind("\n", 0, idx)
    return -1


def _fallback_cut(buf: str) -> int:
    for sep in ("\n", " "):
        idx = buf.rfind(sep)
        if idx > 0:
            return idx + 1
    return len(buf)


def iter_chunks(stream: BinaryIO, source: str, errors: str = "strict", stats: TextStats | None = None,
                block_bytes: int = BLOCK_BYTES, max_carry: int = MAX_CARRY_CHARS, offset: int = 0) -> Iterator[str]:
    """Text chunks of a UTF-8 byte stream. Invalid UTF-8 (or a NUL byte) raises InputError naming `source`
    and the byte offset, unless errors='replace'. A leading UTF-8 BOM is dropped. `offset`: where the stream
    starts in `source` (a later piece of a file: offsets in errors are the file's, and there is no BOM)."""
    if errors not in ("strict", "replace"):
        raise UsageError(f"invalid errors mode {errors!r}", "use 'strict' or 'replace'")
    stats = stats if stats is not None else TextStats()
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    consumed = offset  # bytes of the source handed to the decoder so far
    carry = ""
    first = offset == 0
    while True:
        block = stream.read(block_bytes)
        final = not block
        if first and block.startswith(_BOM):
            block, consumed = block[len(_BOM):], consumed + len(_BOM)
        first = False
        if errors == "strict" and b"\x00" in block:
            raise InputError(f"{source}: binary data (NUL byte) at byte offset {consumed + block.index(0)}",
                             "is this a text file? pass --errors replace to count it anyway")
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as e:
            raise InputError(f"{source}: invalid UTF-8 at byte offset {consumed - pending + e.start}",
                             "convert the file to UTF-8, or pass --errors replace") from None
        consumed += len(block)
        stats.bytes += len(block)
        buf = carry + text
        if final:
            if buf:
                stats.chars += len(buf)
                stats.chunks += 1
                yield buf
            return
        cut = _safe_cut(buf)
        if cut < 0:
            if len(buf) < max_carry:
                carry = buf
                continue
            cut = _fallback_cut(buf)
            stats.fallback_cuts += 1
        chunk, carry = buf[:cut], buf[cut:]
        stats.chars += len(chunk)
        stats.chunks += 1
        yield chunk


def _batches(chunks: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_chunks(tokenizers: Sequence[Tokenizer], chunks: Iterable[str],
                 batch_chunks: int = BATCH_CHUNKS, threads: int | None = None) -> list[int]:
    """Total tokens of the text made of `chunks`, per tokenizer (estimates scaled once, at the end), each batch
    on `threads` threads (default: one per core)."""
    from costcalc.tokenizers.backends.estimate import EstimateTokenizer

    raw = [t.base if isinstance(t, EstimateTokenizer) else t for t in tokenizers]
    totals = [0] * len(tokenizers)
    for i, batch in enumerate(_batches(chunks, batch_chunks)):
        for j, tok in enumerate(raw):
            totals[j] += tok.count_chunks(batch, first=(i == 0), threads=threads)
    return [t.scale(n) if isinstance(t, EstimateTokenizer) else n for t, n in zip(tokenizers, totals, strict=True)]


def count_stream(tokenizers: Sequence[Tokenizer], stream: BinaryIO, source: str,
                 errors: str = "strict", threads: int | None = None) -> tuple[list[int], TextStats]:
    """Tokens per tokenizer and character/byte totals of a UTF-8 byte stream, in bounded memory."""
    stats = TextStats()
    totals = count_chunks(tokenizers, iter_chunks(stream, source, errors, stats), threads=threads)
    return totals, stats


SCAN_BYTES = 64 * 1024


def _is_space_at_edge(raw: bytes, last: bool) -> bool:
    """Whether the last (or first) character of these UTF-8 bytes is whitespace; bad bytes count as U+FFFD."""
    text = raw.decode("utf-8", "replace")
    return not text or (text[-1] if last else text[0]).isspace()


def find_cut(stream: BinaryIO, lo: int, hi: int, safe: bool = True) -> int | None:
    """The first byte offset in [lo, hi) of a seekable UTF-8 stream just after a '\\n' where `iter_chunks` may
    cut (with `safe`: a non-space character on both sides, as `_safe_cut` decides on text), or None. Used to
    split a large file into pieces whose counts add up to the whole file's: reads a few bytes around each
    newline it tries, at most `hi - lo` in all."""
    pos = max(lo - 1, 1)  # the newline's own offset; never at the start of the stream
    while pos < hi - 1:
        base = max(pos - 4, 0)  # the character before the newline: at most 4 bytes back
        stream.seek(base)
        buf = stream.read(pos - base + SCAN_BYTES + 4)  # and the character after it
        end = min(len(buf), pos - base + SCAN_BYTES, hi - 1 - base)
        i = buf.find(b"\n", pos - base, end)
        while i != -1:
            if not safe:
                return base + i + 1
            back = i - 1
            while back > max(i - 4, 0) and 0x80 <= buf[back] < 0xC0:  # UTF-8 continuation bytes
                back -= 1
            after = buf[i + 1:i + 5]
            if after and not _is_space_at_edge(buf[back:i], last=True) and not _is_space_at_edge(after, last=False):
                return base + i + 1
            i = buf.find(b"\n", i + 1, end)
        if len(buf) < pos - base + SCAN_BYTES:
            return None  # end of the stream
        pos = base + end
    return None
