"""End-to-end timings of the CLI, as ratios measured in one run (medians of several runs each).

    python benchmarks/bench_pipeline.py [--runs N]

* `costcalc --help` vs `python -c pass` (start-up overhead; target: well under 0.5 s)
* `costcalc premiums` (default: bundled corpus, every exact tokenizer): cold cache vs cached (target >= 10x),
  and cold on 2 processes vs 1 (target >= 1.6x)
* `costcalc report` (the README's main job): cold vs cached (target >= 10x; cold well under 10 s)

Each "cold" run gets a fresh, empty COSTCALC_CACHE_DIR; "cached" runs reuse one warmed directory.
The machines are shared and noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COSTCALC = [sys.executable, "-m", "costcalc"]
# Measure costcalc as installed: with bytecode caches (a shell may have switched them off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cache: Path | None) -> float:
    env = {**ENV, "COSTCALC_CACHE_DIR": str(cache) if cache else ""}
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="costcalc-bench-"))
        times.append(timed(cmd, cache))
        shutil.rmtree(cache)
    return statistics.median(times)


def cached(cmd: list[str], runs: int) -> float:
    cache = Path(tempfile.mkdtemp(prefix="costcalc-bench-"))
    timed(cmd, cache)  # warm it
    result = statistics.median(timed(cmd, cache) for _ in range(runs))
    shutil.rmtree(cache)
    return result


def line(label: str, a: float, b: float, target: str) -> None:
    print(f"{label:<52} {a:8.3f} s {b:8.3f} s {a / b:8.2f}x   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {runs} runs\n")
    print(f"{'':<52} {'A':>10} {'B':>10} {'A/B':>9}")
    help_time = statistics.median(timed([*COSTCALC, "--help"], None) for _ in range(runs))
    bare = statistics.median(timed([sys.executable, "-c", "pass"], None) for _ in range(runs))
    line("costcalc --help (A) vs python -c pass (B)", help_time, bare, "target: --help well under 0.5 s")

    premiums = [*COSTCALC, "premiums", "--format", "csv"]
    line("premiums: cold (A) vs cached (B)", cold(premiums, runs), cached(premiums, runs), "target >= 10x")
    line("premiums cold: 1 process (A) vs 2 processes (B)", cold([*premiums, "--workers", "1"], runs),
         cold([*premiums, "--workers", "2"], runs), "target >= 1.6x")

    report = [*COSTCALC, "report", "-o", os.devnull]
    line("report: cold (A) vs cached (B)", cold(report, runs), cached(report, runs), "target >= 10x, cold < 10 s")


if __name__ == "__main__":
    main()
