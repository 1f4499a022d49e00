"""Re-verify every tokenizer: the sha256 of its vocab file and its shipped reference vectors."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from costcalc.errors import CostcalcError
from costcalc.tokenizers import assets, ondemand, registry
from costcalc.tokenizers.backends import mistral


@dataclass(frozen=True)
class CheckResult:
    name: str
    sha256: str  # "ok" | "mismatch" | "missing" | "not installed"
    vectors: str  # "46/46" | "-"
    ok: bool
    detail: str = ""


def reference_vectors(assets_dir: Path | None = None) -> dict[str, dict]:
    path = (assets_dir or assets.ASSETS_DIR) / assets.manifest().reference_vectors
    return json.loads(gzip.decompress(path.read_bytes()))


def _check_file(name: str) -> tuple[str, str]:
    record = assets.entry(name)
    if record.file:
        assets.read_asset(name)  # raises on a missing file or a sha256 mismatch
        return "ok", ""
    root = mistral.data_dir()
    path = root / str(record.data_file) if root else None
    if path is None or not path.is_file():
        return "missing", f"mistral-common data file {record.data_file!r} not found; {mistral.INSTALL}"
    got = assets.sha256_hex(path.read_bytes())
    if got != record.sha256:
        return "mismatch", (f"{str(path)!r} has sha256 {got}, verified build had {record.sha256} "
                            f"(mistral-common {record.source.version})")
    return "ok", ""


def check_one(name: str, vectors: dict[str, dict]) -> CheckResult:
    from costcalc.tokenizers.families import FAMILIES

    if name in FAMILIES:
        return CheckResult(name, "-", "-", True, f"closed family: {FAMILIES[name].base} x calibration")
    asset = registry.asset_of(name)  # a tokenizer sharing another's vocab file is checked against that file
    if name in ondemand.SPECS and ondemand.record(name) is None:
        return CheckResult(name, "not installed", "-", True, ondemand.install_command(name))
    if name in ondemand.SPECS:  # installed: sha256 is checked on load; vectors were checked at install
        detail = (ondemand.record(name) or {}).get("reference_check", "")
        try:
            registry.get_tokenizer(name)
        except CostcalcError as e:
            return CheckResult(name, "mismatch" if "sha256" in str(e) else "missing", "-", False, str(e))
        return CheckResult(name, "ok", "-", True, f"installed; at install: {detail}")
    try:
        status, detail = _check_file(asset)
        if status != "ok":
            return CheckResult(name, status, "-", False, detail)
        tok = registry.get_tokenizer(name)
    except CostcalcError as e:
        return CheckResult(name, "mismatch" if "sha256" in str(e) else "missing", "-", False, str(e))
    cases = vectors.get(asset, {}).get("cases", [])
    bad = [i for i, (text, ids) in enumerate(cases) if tok.encode(text) != ids]
    detail = f"first differing case #{bad[0]}" if bad else "; ".join(vectors.get(asset, {}).get("reference", []))
    return CheckResult(name, "ok", f"{len(cases) - len(bad)}/{len(cases)}" if cases else "-", not bad, detail)


def check_all() -> list[CheckResult]:
    vectors = reference_vectors()
    return [check_one(info.name, vectors) for info in registry.list_tokenizers()]
