"""Tokenizer registry and backends: ids equal each vendor's reference implementation, offline."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from costcalc.errors import MissingDependencyError, TokenizerAssetError, UnknownTokenizerError
from costcalc.tokenizers import assets, get_tokenizer, is_known, known_names, list_tokenizers, registry
from costcalc.tokenizers.backends import hf, mistral, spm, tiktoken_bpe

DATA = Path(__file__).parent / "data" / "tokenizers"
TEXTS = [item["text"] for item in json.loads((DATA / "multilingual.json").read_text(encoding="utf-8"))["texts"]]
# ~1 MB of mixed scripts, emoji, whitespace runs and special-looking text
BIG = "\n".join(TEXTS) * (1_000_000 // len("\n".join(TEXTS)) + 1)
SHIPPED = ["openai:cl100k_base", "openai:o200k_base", "mistral:spm", "mistral:tekken", "anthropic:claude-2",
           "meta:llama-2", "meta:llama-3", "meta:llama-4"]
PRICING_NAMES = ["openai:cl100k_base", "openai:o200k_base", "mistral:spm", "mistral:tekken", "anthropic:claude-2",
                 "meta:llama-2", "meta:llama-3", "meta:llama-4", "estimate:anthropic:claude-2",
                 "estimate:openai:o200k_base", "estimate:meta:llama-3", "estimate:mistral:tekken",
                 "estimate:google:gemma", "mistral:v1", "mistral:v2", "mistral:v3", "mistral:v7"]
TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


def llama_cpp_vectors(stem: str) -> list[tuple[str, list[int]]]:
    texts = (DATA / f"{stem}.inp").read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")[:-1]
    lines = (DATA / f"{stem}.out").read_text(encoding="utf-8").split("\n")[: len(texts)]
    return [(t, [int(x) for x in line.split()]) for t, line in zip(texts, lines, strict=True)]


@pytest.fixture(scope="module")
def tiktoken_reference(tmp_path_factory):
    """tiktoken's own get_encoding, served offline from a cache dir filled with our shipped rank files."""
    import tiktoken
    import tiktoken.registry

    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for enc in ("cl100k_base", "o200k_base"):
        raw = gzip.decompress((assets.ASSETS_DIR / f"openai-{enc}.tiktoken.gz").read_bytes())
        (cache / hashlib.sha1(TIKTOKEN_URL.format(enc).encode()).hexdigest()).write_bytes(raw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        for enc in ("cl100k_base", "o200k_base"):
            tiktoken.registry.ENCODINGS.pop(enc, None)
        encodings = {f"openai:{e}": tiktoken.get_encoding(e) for e in ("cl100k_base", "o200k_base")}
    return encodings


# --- ids equal the reference implementations ---

@pytest.mark.parametrize("name", ["openai:cl100k_base", "openai:o200k_base"])
def test_openai_ids_equal_tiktoken_get_encoding(name, tiktoken_reference):
    ref = tiktoken_reference[name]
    tok = get_tokenizer(name)
    for text in TEXTS:
        assert tok.encode(text) == ref.encode_ordinary(text), text
    assert tok.encode(BIG) == ref.encode_ordinary(BIG)
    assert tok.vocab_size == ref.n_vocab


def test_openai_special_looking_text_is_plain(tiktoken_reference):
    tok = get_tokenizer("openai:cl100k_base")
    ids = tok.encode("<|endoftext|>")
    assert 100257 not in ids and len(ids) > 1
    assert ids == tiktoken_reference["openai:cl100k_base"].encode("<|endoftext|>", disallowed_special=())


@pytest.mark.parametrize("enc", ["cl100k_base", "o200k_base"])
def test_openai_rank_files_match_tiktoken_expected_hash(enc):
    expected = {"cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
                "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"}[enc]
    assert assets.entry(f"openai:{enc}").sha256 == expected
    assert get_tokenizer(f"openai:{enc}").fingerprint.split("+")[0] == expected  # "+<counting library>" after


def _mistral_reference(name: str):
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    path = mistral.data_dir() / mistral.DATA_FILES[name]
    return SentencePieceTokenizer(str(path)) if name == "mistral:spm" else Tekkenizer.from_file(str(path))


@pytest.mark.parametrize("name", ["mistral:spm", "mistral:tekken"])
def test_mistral_ids_equal_mistral_common(name):
    ref = _mistral_reference(name)
    tok = get_tokenizer(name)
    for text in [*TEXTS, BIG]:
        expected = ref.encode(text, bos=False, eos=False)
        assert tok.encode(text) == expected, text[:40]
        assert tok.count(text) == len(expected)
    assert tok.count_batch(TEXTS) == [len(ref.encode(t, bos=False, eos=False)) for t in TEXTS]


@pytest.mark.parametrize("alias, data_file", [
    ("mistral:v1", "tokenizer.model.v1"), ("mistral:v2", "mistral_instruct_tokenizer_240216.model.v2"),
    ("mistral:v3", "mistral_instruct_tokenizer_240323.model.v3"),
    ("mistral:v7", "mistral_instruct_tokenizer_241114.model.v7")])
def test_mistral_aliases_count_like_their_own_files(alias, data_file):
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer

    own = SentencePieceTokenizer(str(mistral.data_dir() / data_file))
    tok = get_tokenizer(alias)
    assert tok is get_tokenizer("mistral:spm")
    assert [tok.count(t) for t in TEXTS] == [len(own.encode(t, bos=False, eos=False)) for t in TEXTS]


def test_claude2_ids_equal_tokenizers_on_the_sdk_file():
    import tokenizers

    raw = assets.read_asset("anthropic:claude-2")
    assert hashlib.sha256(raw).hexdigest().startswith("c241737d")  # anthropic 0.34-0.38 tokenizer.json
    ref = tokenizers.Tokenizer.from_str(raw.decode("utf-8"))
    ref.encode_special_tokens = True
    tok = get_tokenizer("anthropic:claude-2")
    for text in [*TEXTS, BIG]:
        assert tok.encode(text) == ref.encode(text, add_special_tokens=False).ids, text[:40]
    assert tok.count("<EOT>") > 1  # the control token's text is counted as text
    assert tok.count_batch(TEXTS) == [tok.count(t) for t in TEXTS]


def test_llama2_matches_llama_cpp_reference_vectors():
    tok = get_tokenizer("meta:llama-2")
    vectors = llama_cpp_vectors("ggml-vocab-llama-spm.gguf")
    assert len(vectors) == 46
    for text, ids in vectors:
        assert tok.encode(text) == ids, text
    assert tok.vocab_size == 32000
    assert 1 not in tok.encode("<s>hi</s>")  # no BOS, and '<s>' text is not the control token


def test_llama3_matches_llama_cpp_reference_vectors():
    tok = get_tokenizer("meta:llama-3")
    vectors = llama_cpp_vectors("ggml-vocab-llama-bpe.gguf")
    assert len(vectors) == 46
    for text, ids in vectors:
        assert tok.encode(text) == ids, text


@pytest.mark.parametrize("name", ["meta:llama-3", "meta:llama-4"])
def test_llama3_and_4_match_llama_models_tokenizer(name):
    fixture = json.loads((DATA / "llama_models-0.3.0.ids.json").read_text(encoding="utf-8"))
    expected = fixture["ids"][name.split(":")[1]]
    tok = get_tokenizer(name)
    assert [tok.encode(t) for t in TEXTS] == expected
    assert tok.vocab_size == {"meta:llama-3": 128256, "meta:llama-4": 202048}[name]


@pytest.mark.parametrize("name", SHIPPED)
def test_count_and_batch_agree_with_encode(name):
    tok = get_tokenizer(name)
    assert tok.exact is True
    assert tok.count("") == 0
    assert tok.count_batch(TEXTS) == [len(tok.encode(t)) for t in TEXTS]
    assert tok.count(BIG) == len(tok.encode(BIG))
    assert len(tok.fingerprint.split("+")[0]) == 64  # the vocab's sha256 (+ the counting library, if not the backend)


# --- registry ---

def test_every_pricing_tokenizer_name_is_known():
    for name in PRICING_NAMES:
        assert is_known(name), name
    assert is_known("hf:Qwen/Qwen2.5-7B") and is_known("estimate:meta:llama-3*1.15")
    for name in ["openai:gpt5", "estimate:nope", "estimate:openai:o200k_base*-1", "estimate:openai:o200k_base*x",
                 "hf:", "estimate:estimate:meta:llama-3", ""]:
        assert not is_known(name), name


def test_unknown_name_suggests_closest():
    with pytest.raises(UnknownTokenizerError) as e:
        get_tokenizer("openai:o200k")
    assert "'openai:o200k'" in str(e.value) and "openai:o200k_base" in str(e.value)
    with pytest.raises(UnknownTokenizerError, match="mistral:tekken"):
        get_tokenizer("estimate:mistral:teken")
    with pytest.raises(LookupError):  # also a builtin LookupError
        get_tokenizer("nope")


def test_known_names_lists_names_and_aliases():
    names = known_names()
    assert set(SHIPPED) <= set(names) and "mistral:v3" in names and "google:gemma" in names


def test_estimate_wraps_base_and_is_labelled():
    base = get_tokenizer("anthropic:claude-2")
    est = get_tokenizer("estimate:anthropic:claude-2")
    assert est.exact is False and est.name == "estimate:anthropic:claude-2"
    assert est.count(TEXTS[0]) == base.count(TEXTS[0]) and est.fingerprint == base.fingerprint
    scaled = get_tokenizer("estimate:anthropic:claude-2*1.25")
    n = base.count(TEXTS[1])
    assert scaled.count(TEXTS[1]) == int((Decimal(n) * Decimal("1.25")).to_integral_value("ROUND_HALF_UP"))
    assert scaled.name == "estimate:anthropic:claude-2*1.25" and scaled.fingerprint != base.fingerprint
    assert get_tokenizer("estimate:mistral:v3").name == "estimate:mistral:spm"
    with pytest.raises(UnknownTokenizerError, match="positive"):
        get_tokenizer("estimate:anthropic:claude-2*0")


def test_instances_are_memoized_across_threads():
    registry.clear_cache()
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(get_tokenizer("meta:llama-2"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(t is got[0] for t in got)


def test_list_tokenizers_reports_manifest_info():
    infos = {i.name: i for i in list_tokenizers()}
    assert set(SHIPPED) <= set(infos)
    for name in SHIPPED:
        info = infos[name]
        assert info.exact and info.installed and info.vocab_size and len(info.fingerprint.split("+")[0]) == 64
        assert info.source and info.licence
    assert infos["mistral:spm"].aliases == ("mistral:v1", "mistral:v2", "mistral:v3", "mistral:v7")
    assert "Llama 2" in infos["meta:llama-2"].licence


def test_import_and_listing_load_no_heavy_library():
    code = ("import sys, costcalc.tokenizers as t; t.list_tokenizers(); t.is_known('estimate:meta:llama-3'); "
            "heavy = {'tiktoken', 'tokenizers', 'sentencepiece', 'mistral_common', 'transformers', 'torch'}; "
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- assets ---

def test_llama_notices_travel_with_the_files():
    for name in ("meta:llama-2", "meta:llama-3", "meta:llama-4"):
        paths = assets.notice_paths(name)
        assert paths and all(p.is_file() for p in paths)
        assert "Community License" in paths[0].read_text(encoding="utf-8")


def _corrupt_copy(tmp_path: Path, filename: str) -> Path:
    tmp = tmp_path / "assets"
    shutil.copytree(assets.ASSETS_DIR, tmp)
    raw = gzip.decompress((tmp / filename).read_bytes())
    (tmp / filename).write_bytes(gzip.compress(raw.replace(b"IQ==", b"Ig==", 1)))  # still valid gzip
    return tmp


def test_sha256_mismatch_raises_asset_error(tmp_path):
    tmp = _corrupt_copy(tmp_path, "openai-cl100k_base.tiktoken.gz")
    with pytest.raises(TokenizerAssetError) as e:
        tiktoken_bpe.load_openai("cl100k_base", assets_dir=tmp)
    msg = str(e.value)
    assert "openai-cl100k_base.tiktoken.gz" in msg and "sha256" in msg
    assert "python scripts/build_tokenizer_assets.py" in msg


def test_missing_or_broken_asset_raises_asset_error(tmp_path):
    (tmp_path / "meta-llama-2.model.gz").write_bytes(b"not gzip")
    with pytest.raises(TokenizerAssetError, match="corrupt"):
        spm.load("meta:llama-2", assets_dir=tmp_path)
    with pytest.raises(TokenizerAssetError, match="missing"):
        hf.load_tokenizer_json("anthropic:claude-2", assets_dir=tmp_path)


def test_on_demand_tokenizer_not_installed_names_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_TOKENIZERS_DIR", str(tmp_path))
    registry.clear_cache()
    assert is_known("estimate:google:gemma")
    with pytest.raises(TokenizerAssetError, match="costcalc tokenizers install google:gemma"):
        get_tokenizer("estimate:google:gemma").count("hi")
    info = {i.name: i for i in list_tokenizers()}["google:gemma"]
    assert not info.installed and info.install_hint == "costcalc tokenizers install google:gemma"


# --- hf: via transformers (optional extra) ---

def test_hf_without_transformers_names_the_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    with pytest.raises(MissingDependencyError) as e:
        get_tokenizer("hf:/nonexistent/tokenizer-dir")
    assert "pip install 'costcalc[hf]'" in str(e.value)
    assert isinstance(e.value, ImportError)


def test_hf_loads_offline_without_special_tokens(monkeypatch):
    calls = {}

    class FakeTokenizer:
        def __init__(self, spec, **kwargs):
            calls.update(spec=spec, **kwargs)
            self.backend_tokenizer = SimpleNamespace(to_str=lambda: '{"fake": true}')

        def __len__(self):
            return 3

        def encode(self, text, add_special_tokens=True):
            assert add_special_tokens is False
            return [1] * len(text.split())

        def __call__(self, texts, add_special_tokens=True):
            return {"input_ids": [self.encode(t, add_special_tokens) for t in texts]}

    fake = ModuleType("transformers")
    fake.AutoTokenizer = SimpleNamespace(from_pretrained=lambda spec, **kw: FakeTokenizer(spec, **kw))
    monkeypatch.setitem(sys.modules, "transformers", fake)
    tok = get_tokenizer("hf:some/local-dir")
    assert calls == {"spec": "some/local-dir", "local_files_only": True, "split_special_tokens": True}
    assert tok.name == "hf:some/local-dir" and tok.exact and tok.vocab_size == 3
    assert tok.count("a b c") == 3 and tok.count_batch(["a", "a b"]) == [1, 2]
    assert tok.fingerprint == hashlib.sha256(b'{"fake": true}').hexdigest()
    registry.clear_cache()


# --- on-demand install (offline: pinned archives are made here and pre-placed in the download dir) ---

def _gguf(kv: dict) -> bytes:
    """A minimal GGUF v3 header with string, u32 and array values (what llama.cpp vocab files hold)."""
    import struct

    def s(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv))
    for key, value in kv.items():
        out += s(key)
        if isinstance(value, str):
            out += struct.pack("<I", 8) + s(value)
        elif isinstance(value, int):
            out += struct.pack("<II", 4, value)
        elif all(isinstance(v, str) for v in value):
            out += struct.pack("<IIQ", 9, 8, len(value)) + b"".join(s(v) for v in value)
        else:
            out += struct.pack("<IIQ", 9, 5, len(value)) + struct.pack(f"<{len(value)}i", *value)
    return out


def _pinned(tmp_path: Path, monkeypatch, name: str, archive: Path, **changes) -> None:
    from dataclasses import replace

    from costcalc.tokenizers import ondemand

    spec = ondemand.SPECS[name]
    pin = replace(spec.pin, filename=archive.name, sha256=hashlib.sha256(archive.read_bytes()).hexdigest())
    monkeypatch.setitem(ondemand.SPECS, name, replace(spec, pin=pin, **changes))
    monkeypatch.setenv("COSTCALC_TOKENIZERS_DIR", str(tmp_path / "cache"))
    registry.clear_cache()


def test_install_rebuilds_gguf_checks_vectors_and_loads(tmp_path, monkeypatch):
    import tarfile

    from click.testing import CliRunner

    from costcalc.cli import cli

    kv = {"tokenizer.ggml.model": "gemma4",
          "tokenizer.ggml.tokens": ["<pad>", "<eos>", "<bos>", "<unk>", "▁", "a", "b", "ab", "▁ab"],
          "tokenizer.ggml.token_type": [3, 3, 3, 2, 1, 1, 1, 1, 1],
          "tokenizer.ggml.merges": ["a b", "▁ ab"], "tokenizer.ggml.unknown_token_id": 3}
    files = {"m/vocab.gguf": _gguf(kv), "m/vocab.gguf.inp": b"ab ab\n__ggml_vocab_test__\n",
             "m/vocab.gguf.out": b" 7 8\n"}
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    archive = downloads / "fake-sdist.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    _pinned(tmp_path, monkeypatch, "google:gemma", archive, member="m/vocab.gguf", vectors="m/vocab.gguf")
    result = CliRunner().invoke(cli, ["tokenizers", "install", "google:gemma", "--download-dir", str(downloads)])
    assert result.exit_code == 0, result.output
    assert "1/1 llama.cpp reference vectors identical" in result.output
    tok = get_tokenizer("google:gemma")
    assert tok.encode("ab ab") == [7, 8] and tok.encode("<eos>") == [3] and tok.vocab_size == 9  # text, not EOS
    assert get_tokenizer("estimate:google:gemma").count("ab ab") == 2
    info = {i.name: i for i in list_tokenizers()}["google:gemma"]
    assert info.installed and info.vocab_size == 9 and info.install_hint is None
    # vectors that disagree: nothing is installed
    files["m/vocab.gguf.out"] = b" 5 6 7\n"
    registry.clear_cache()
    shutil.rmtree(tmp_path / "cache")
    archive.unlink()
    with tarfile.open(archive, "w:gz") as tf:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    _pinned(tmp_path, monkeypatch, "google:gemma", archive, member="m/vocab.gguf", vectors="m/vocab.gguf")
    from costcalc.tokenizers.install import install

    with pytest.raises(TokenizerAssetError, match="reference vectors"):
        install("google:gemma", downloads)
    assert not (tmp_path / "cache" / "google-gemma.tokenizer.json").exists()
    registry.clear_cache()


def test_install_copy_recipe_checks_pins_and_tampering(tmp_path, monkeypatch):
    import zipfile

    from costcalc.tokenizers.install import install

    raw = assets.read_asset("anthropic:claude-2")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    archive = downloads / "fake-1.0-py3-none-any.whl"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fake/tokenizer.json", raw)
    _pinned(tmp_path, monkeypatch, "deepseek:v3", archive, member="fake/tokenizer.json",
            expected_sha256=hashlib.sha256(raw).hexdigest())
    record = install("deepseek:v3", downloads)
    assert record["sha256"] == hashlib.sha256(raw).hexdigest() and record["vocab_size"] == 65000
    assert get_tokenizer("deepseek:v3").encode(TEXTS[0]) == get_tokenizer("anthropic:claude-2").encode(TEXTS[0])
    # a tampered installed file fails its recorded sha256 on load
    (tmp_path / "cache" / "deepseek-v3.tokenizer.json").write_bytes(raw.replace(b"\"<EOT>\"", b"\"<EOX>\"", 1))
    registry.clear_cache()
    with pytest.raises(TokenizerAssetError, match="sha256"):
        get_tokenizer("deepseek:v3")
    # an archive that does not match its pin is refused
    archive.write_bytes(archive.read_bytes() + b"\0")
    with pytest.raises(TokenizerAssetError, match="the pin expects"):
        install("deepseek:v3", downloads)
    with pytest.raises(UnknownTokenizerError, match="google:gemma"):
        install("google:gema", downloads)
    registry.clear_cache()


def test_batch_threads_are_passed_not_set():
    """The thread count is an argument of each batch call (workers pass 1), never process state."""
    import threading

    import costcalc.tokenizers.base as base

    seen: list[str] = []

    def count(text: str) -> int:
        seen.append(threading.current_thread().name)
        return len(text)

    assert base.map_batch(count, ["a", "bb", "ccc"], threads=1) == [1, 2, 3]
    assert set(seen) == {threading.current_thread().name}
    seen.clear()
    assert base.map_batch(count, ["a", "bb", "ccc", "dddd"] * 8, threads=2) == [1, 2, 3, 4] * 8
    assert all(name.startswith("costcalc-count") for name in seen)
    assert not any(hasattr(base, name) for name in ("threads", "_threads", "batch_threads"))
