"""Write calibration entries: a new or existing file (`--output`), or the shipped tables (`--apply`).

Entries are appended as text after what the file already holds (comments and history stay byte for byte),
the result is validated, then written atomically; `--apply` holds the pricing directory's lock like refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import yaml

from costcalc._atomic import write_atomic
from costcalc.calibrate.schema import Calibration
from costcalc.errors import PriceTableError

HEADER = ("# Calibrations of closed tokenizer families (costcalc calibrate). Append-only: add newer entries,\n"
          "# never edit one; the latest `measured` entry per (family, language) wins.\n")
APPLIED = "measured.yaml"


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def render(entries: Sequence[Calibration]) -> str:
    """The entries as items of the `calibrations:` list."""
    data = [e.model_dump(mode="python", exclude_none=True, exclude_defaults=False) for e in entries]
    for item in data:
        if not item.get("sources"):
            item.pop("sources", None)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return "".join("  " + line if line.strip() else line for line in text.splitlines(keepends=True))


def append(path: Path, entries: Sequence[Calibration]) -> None:
    """Append `entries` to the calibration file at `path` (created if missing), atomically."""
    from costcalc.calibrate.store import check_file

    old = path.read_text(encoding="utf-8") if path.is_file() else HEADER + "calibrations:\n"
    if old and not old.endswith("\n"):
        old += "\n"
    new = old + render(entries)
    tmp = path.with_name(f".{path.name}.check")
    try:
        tmp.write_text(new, encoding="utf-8")
        _, problems = check_file(tmp)
    finally:
        tmp.unlink(missing_ok=True)
    if problems:
        raise PriceTableError(f"{path}: the calibration would not validate: {problems[0]}",
                              "nothing was written; check that the file ends with its calibrations: list")
    write_atomic(path, new)


def apply(root: Path, entries: Sequence[Calibration], lock_timeout: float = 600.0) -> Path:
    """Append to the shipped tables under `root` (pricing/calibrations/measured.yaml), holding the lock."""
    from filelock import FileLock, Timeout

    from costcalc.refresh.run import lock_path

    target = root / "calibrations" / APPLIED
    try:
        with FileLock(lock_path(root), timeout=lock_timeout):
            target.parent.mkdir(parents=True, exist_ok=True)
            append(target, entries)
    except Timeout:
        raise PriceTableError(f"{root} is locked by another refresh or calibration",
                              "wait for it to finish, then rerun") from None
    return target
