"""Tokenizer registry: `vendor:name` -> lazy zero-arg factory, memoized (thread-safe) instances.

Names: registered ones (and aliases), closed families (`anthropic:claude-3`, ...: a base tokenizer times a
calibration, see `families.py`), `estimate:<base>[*factor]`, and `hf:<local path or cached repo id>`.
Nothing here imports a tokenizer library; factories do, when a tokenizer is first used.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from costcalc.errors import TokenizerAssetError, UnknownTokenizerError, closest
from costcalc.tokenizers import assets, ondemand
from costcalc.tokenizers._deps import installed
from costcalc.tokenizers.backends import fastcount
from costcalc.tokenizers.base import Tokenizer, TokenizerInfo
from costcalc.tokenizers.families import FAMILIES

ESTIMATE = "estimate:"
HF = "hf:"
_BACKENDS = "costcalc.tokenizers.backends"


@dataclass(frozen=True)
class Entry:
    name: str
    factory: str  # "module:function", imported only when the tokenizer is first used
    backend: str
    aliases: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # importable modules the backend needs
    asset: str = ""  # MANIFEST entry of its vocab file when it shares another tokenizer's (default: its name)

    def load(self) -> Tokenizer:
        module, func = self.factory.split(":")
        return getattr(importlib.import_module(module), func)()


_ENTRIES: tuple[Entry, ...] = (
    Entry("openai:cl100k_base", f"{_BACKENDS}.tiktoken_bpe:cl100k_base", "tiktoken", requires=("tiktoken",)),
    Entry("openai:o200k_base", f"{_BACKENDS}.tiktoken_bpe:o200k_base", "tiktoken", requires=("tiktoken",)),
    Entry("openai:o200k_harmony", f"{_BACKENDS}.tiktoken_bpe:o200k_harmony", "tiktoken", requires=("tiktoken",),
          asset="openai:o200k_base"),
    Entry("mistral:spm", f"{_BACKENDS}.mistral:spm", "mistral-common",
          aliases=("mistral:v1", "mistral:v2", "mistral:v3", "mistral:v7"),
          requires=("mistral_common", "sentencepiece")),
    Entry("mistral:tekken", f"{_BACKENDS}.mistral:tekken", "mistral-common", requires=("mistral_common",)),
    Entry("anthropic:claude-2", f"{_BACKENDS}.hf:claude_2", "tokenizers", requires=("tokenizers",)),
    Entry("meta:llama-2", f"{_BACKENDS}.spm:llama_2", "sentencepiece", requires=("sentencepiece",)),
    Entry("meta:llama-3", f"{_BACKENDS}.tiktoken_bpe:llama_3", "tiktoken", requires=("tiktoken",)),
    Entry("meta:llama-4", f"{_BACKENDS}.tiktoken_bpe:llama_4", "tiktoken", requires=("tiktoken",)),
    *(Entry(name, f"{_BACKENDS}.ondemand_loader:{spec.factory}", "tokenizers", requires=("tokenizers",))
      for name, spec in ondemand.SPECS.items()),
)
_BY_NAME: dict[str, Entry] = {e.name: e for e in _ENTRIES}
_ALIASES: dict[str, str] = {a: e.name for e in _ENTRIES for a in e.aliases}

_instances: dict[str, Tokenizer] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def known_names() -> list[str]:
    """Registered names, aliases and closed families (not the open-ended `estimate:` / `hf:` forms)."""
    return sorted([*_BY_NAME, *_ALIASES, *FAMILIES])


def canonical(name: str) -> str:
    """The registered name for a name or alias (unchanged for unknown names)."""
    return _ALIASES.get(name, name)


def _parse_estimate(name: str) -> tuple[str, Decimal]:
    spec = name[len(ESTIMATE):]
    base, sep, factor_text = spec.rpartition("*")
    if not sep:
        return canonical(spec), Decimal(1)
    try:
        factor = Decimal(factor_text)
    except InvalidOperation:
        factor = Decimal(0)
    if not factor.is_finite() or factor <= 0:
        raise UnknownTokenizerError(f"invalid estimate factor {factor_text!r} in {name!r}",
                                    "use a positive number, e.g. estimate:anthropic:claude-2*1.1")
    return canonical(base), factor


def estimate_name(base: str, factor: Decimal) -> str:
    return f"{ESTIMATE}{base}" + ("" if factor == 1 else f"*{factor.normalize()}")


def library_modules(name: str) -> tuple[str, ...]:
    """The importable libraries a tokenizer's backend needs (empty for unknown and `hf:` names)."""
    if name.startswith(ESTIMATE):
        try:
            name = _parse_estimate(name)[0]
        except UnknownTokenizerError:
            return ()
    if name in FAMILIES:
        name = FAMILIES[name].base
    entry = _BY_NAME.get(canonical(name))
    return entry.requires if entry is not None else ()


def asset_of(name: str) -> str:
    """The MANIFEST entry holding a registered tokenizer's vocab file (its own name unless it shares one)."""
    entry = _BY_NAME.get(canonical(name))
    return (entry.asset or entry.name) if entry else name


def is_known(name: str) -> bool:
    """Cheap: no tokenizer is loaded. Accepts registered names, aliases, `estimate:<known base>[*factor]`
    and `hf:<anything>`."""
    if not isinstance(name, str):
        return False
    if name in _BY_NAME or name in _ALIASES or name in FAMILIES:
        return True
    if name.startswith(HF):
        return len(name) > len(HF)
    if name.startswith(ESTIMATE):
        try:
            base, _ = _parse_estimate(name)
        except UnknownTokenizerError:
            return False
        return not base.startswith(ESTIMATE) and is_known(base)
    return False


def _unknown(name: str) -> UnknownTokenizerError:
    hint = closest(name, known_names())
    if not hint and name.startswith(ESTIMATE):
        hint = closest(name[len(ESTIMATE):], known_names())
    return UnknownTokenizerError(
        f"unknown tokenizer {name!r}",
        hint or f"known: {', '.join(known_names())}; or estimate:<name>[*factor], hf:<path-or-repo>")


def _memo(key: str, build: Callable[[], Tokenizer]) -> Tokenizer:
    tok = _instances.get(key)
    if tok is not None:
        return tok
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:  # one load per name, even when threads ask at once
        tok = _instances.get(key)
        if tok is None:
            tok = build()
            _instances[key] = tok
    return tok


def get_tokenizer(name: str) -> Tokenizer:
    """The tokenizer registered as `name` (or an alias, `estimate:...`, `hf:...`); loaded once per process."""
    if not isinstance(name, str):
        raise UnknownTokenizerError(f"tokenizer name must be a string, got {name!r}")
    name = name.strip()
    if name.startswith(ESTIMATE):
        base, factor = _parse_estimate(name)
        if base.startswith(ESTIMATE):
            raise UnknownTokenizerError(f"nested estimate {name!r}", "use one estimate: prefix, e.g. "
                                        "estimate:anthropic:claude-2*1.1")
        if not is_known(base):
            raise _unknown(name)

        def build_estimate() -> Tokenizer:
            from costcalc.tokenizers.backends.estimate import EstimateTokenizer

            return EstimateTokenizer(estimate_name(base, factor), get_tokenizer(base), factor)

        return _memo(estimate_name(base, factor), build_estimate)
    if name.startswith(HF) and len(name) > len(HF):
        def build_hf() -> Tokenizer:
            from costcalc.tokenizers.backends.hf import load_transformers

            return load_transformers(name[len(HF):])

        return _memo(name, build_hf)
    if name in FAMILIES:
        from costcalc.calibrate.store import resolve

        calibration = resolve(name)  # language-agnostic; corpus counting scales per language

        def build_family() -> Tokenizer:
            from costcalc.tokenizers.backends.family import FamilyTokenizer

            return FamilyTokenizer(name, get_tokenizer(FAMILIES[name].base), calibration)

        return _memo(f"{name}|{calibration.factor}", build_family)
    entry = _BY_NAME.get(canonical(name))
    if entry is None:
        raise _unknown(name)
    return _memo(entry.name, entry.load)


def _info(entry: Entry) -> TokenizerInfo:
    if entry.name in ondemand.SPECS:
        return ondemand.info(entry.name, aliases=entry.aliases, backend=entry.backend)
    try:
        record = assets.entry(entry.asset or entry.name)
    except TokenizerAssetError:
        record = None
    src = record.source if record else None
    source = f"{src.package} {src.version}: {src.path}" if src else "?"
    # no "file": the data lives in a dependency (mistral-common)
    have_file = (assets.ASSETS_DIR / record.file).is_file() if record and record.file else True
    return TokenizerInfo(
        name=entry.name, exact=True, vocab_size=None if entry.asset or not record else record.vocab_size,
        fingerprint=record and fastcount.fingerprint(entry.name, record.sha256),
        source=source, licence=record.licence if record else "?", backend=entry.backend,
        installed=have_file and all(installed(m) for m in entry.requires), aliases=entry.aliases,
        counter=fastcount.label(entry.name))


def _family_info(name: str, exact_infos: dict[str, TokenizerInfo]) -> TokenizerInfo:
    fam = FAMILIES[name]
    base = exact_infos[fam.base]
    return TokenizerInfo(
        name=name, exact=False, vocab_size=None, fingerprint=None,
        source=f"closed: {fam.covers}; counted as {fam.base} x calibration", licence="-",
        backend=f"calibrated {fam.base}", installed=base.installed, install_hint=base.install_hint)


def list_tokenizers() -> list[TokenizerInfo]:
    """Every registered tokenizer and closed family, from the MANIFEST: no tokenizer library is imported."""
    infos = [_info(e) for e in _ENTRIES]
    by_name = {i.name: i for i in infos}
    return infos + [_family_info(name, by_name) for name in FAMILIES]


def clear_cache() -> None:
    """Forget loaded tokenizers (tests; after `costcalc tokenizers install`)."""
    with _locks_guard:
        _instances.clear()
