"""`costcalc prices refresh` that stops dead at one step of an apply, for the SIGKILL tests in test_refresh.py.

    python tests/crash_refresh.py STEP SIGNAL_FILE REFRESH_ARGS...

STEP is `staged` (new files staged, COMMITTED not written), `committed` (COMMITTED written, nothing renamed) or
`renamed-N` (N files renamed). At that step the process writes its pid to SIGNAL_FILE and waits to be killed.
The product has no such hook: this wraps functions of costcalc.refresh.txn from outside.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from costcalc.cli import cli
from costcalc.cli.prices import prices
from costcalc.cli.refresh import refresh
from costcalc.refresh import txn


def _pause(signal_file: str) -> None:
    Path(signal_file).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)
    raise SystemExit("paused for 120 s and was not killed")


def _arm(step: str, signal_file: str) -> None:
    if step == "staged":
        write_atomic = txn.write_atomic

        def before_commit_marker(path, data, **kwargs):
            if Path(path).name == "COMMITTED":
                _pause(signal_file)
            return write_atomic(path, data, **kwargs)

        txn.write_atomic = before_commit_marker
    elif step == "committed":
        roll_forward = txn._roll_forward

        def before_renames(root, manifest):
            _pause(signal_file)
            return roll_forward(root, manifest)

        txn._roll_forward = before_renames
    elif step.startswith("renamed-"):
        stop_after, renamed = int(step.removeprefix("renamed-")), []

        class CountingOs:
            def __getattr__(self, name: str):
                return getattr(os, name)

            @staticmethod
            def replace(src, dst) -> None:
                os.replace(src, dst)
                renamed.append(dst)
                if len(renamed) == stop_after:
                    _pause(signal_file)

        txn.os = CountingOs()
    else:
        raise SystemExit(f"unknown step {step!r}")


if __name__ == "__main__":
    _arm(sys.argv[1], sys.argv[2])
    prices.add_command(refresh)
    cli.main(args=sys.argv[3:], prog_name="costcalc")
