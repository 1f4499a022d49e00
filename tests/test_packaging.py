"""Packaging contracts: lazy imports, fast --help, the generated schema in sync, bundled data found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from costcalc.prices import default_pricing_dir
from costcalc.prices.schema import json_schema

HEAVY = ["pandas", "tiktoken", "transformers", "sentencepiece", "tokenizers", "mistral_common", "matplotlib"]


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\ntry:\n    {code}\nfinally:\n    print('MODULES:', *sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.rsplit("MODULES:", 1)[1].split())


def test_import_costcalc_loads_no_heavy_library():
    assert _loaded_after("import costcalc").isdisjoint(HEAVY)


def test_help_loads_no_heavy_library_and_no_subcommand_module():
    loaded = _loaded_after("from costcalc.cli import cli; cli.main(['--help'], standalone_mode=False)")
    assert loaded.isdisjoint(HEAVY)
    assert "costcalc.cli.prices" not in loaded


def test_schema_json_is_generated_from_the_models():
    on_disk = json.loads((default_pricing_dir() / "schema.json").read_text())
    assert on_disk == json_schema(), "regenerate: costcalc prices schema > pricing/schema.json"


def test_bundled_data_dirs_exist():
    assert (default_pricing_dir() / "fx.yaml").is_file()
    assert (default_pricing_dir() / "providers").is_dir()
    assert Path(default_pricing_dir() / "VERSION").read_text().strip()


def test_atomic_writes_keep_file_modes_and_fail_cleanly(tmp_path):
    import os
    import stat

    import pytest

    from costcalc._atomic import write_atomic
    from costcalc.errors import OutputError

    new = tmp_path / "new.md"
    write_atomic(new, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600
    existing = tmp_path / "table.yaml"
    existing.write_text("old")
    existing.chmod(0o640)
    write_atomic(existing, "new")
    assert existing.read_text() == "new" and stat.S_IMODE(existing.stat().st_mode) == 0o640
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(blocker / "sub" / "out.md", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "new.md", "table.yaml"]


def test_min_versions_file_pins_every_runtime_dependency_to_its_lower_bound():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    root = Path(__file__).resolve().parents[1]
    declared = {}
    for line in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]:
        req = Requirement(line)
        lower = [s.version for s in req.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{req.name} needs exactly one >= bound (a tested minimum)"
        declared[canonicalize_name(req.name)] = Version(lower[0])
    pinned = {}
    for line in (root / ".ci" / "min-versions.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonicalize_name(name)] = Version(version)
    assert pinned == declared
