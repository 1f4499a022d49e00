"""`costcalc estimate` benchmarks, printed as ratios measured in one run.

    python benchmarks/bench_estimate.py [--size-mb 1024] [--runs 3]

1. counting throughput of `estimate` on 1 process vs the raw library (tiktoken's encode_ordinary over the same
   records in the same run; its fastest single-thread path), per core: target >= 0.9x
2. `estimate` on 2 cores (`taskset -c 0,1`, --workers 2) vs 1 core (`taskset -c 0`, --workers 1) on the
   --size-mb input (default 1 GB), interleaved runs: target >= 1.9x
3. peak memory (max RSS of the main process and of any worker) counting a generated input of --size-mb
   (default 1 GB): target < 300 MB per process
4. `--sample 0.01` on that input: error vs the exact count, whether the interval covers it, and the speed-up
5. CLI start-up: `costcalc --help` vs `python -c pass`

The input is the bundled corpus's documents (27 languages) written as JSONL records again and again, each with a
random suffix so no two records are identical. Offering: openai/gpt-5 (o200k_base). Medians of --runs runs;
the machines are shared and noisy, so read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
OFFERING = "openai/gpt-5"


def generate(path: Path, size_mb: int, seed: int = 0) -> int:
    """JSONL of corpus documents until `size_mb` MB; returns the number of records."""
    from costcalc.corpus import load_corpus

    docs = [d.text for d in load_corpus("bundled").documents]
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    written = records = 0
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            text = rng.choice(docs) + f"\nRef {rng.randrange(10**9)}"
            line = json.dumps({"text": text}, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            records += 1
    return records


def timed(cmd: list[str]) -> tuple[float, str]:
    env = {**ENV, "COSTCALC_CACHE_DIR": ""}
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """(max RSS of the main process, max RSS of any of its worker processes) in MB, via a wrapper process."""
    probe = (
        "import resource, subprocess, sys, json\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "assert p.returncode == 0, p.stderr\n"
        "print(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    env = {**ENV, "COSTCALC_CACHE_DIR": ""}
    # RUSAGE_CHILDREN is the largest of all descendants that were waited for: the main process or a worker.
    largest = json.loads(subprocess.run([sys.executable, "-c", probe, *cmd], env=env, check=True,
                                        capture_output=True, text=True).stdout) / 1024
    main_only = [sys.executable, "-c",
                 "import resource, runpy, sys; sys.argv = ['costcalc', *sys.argv[1:]]\n"
                 "try:\n    runpy.run_module('costcalc', run_name='__main__')\n"
                 "except SystemExit:\n    pass\n"
                 "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)", *cmd[3:]]
    err = subprocess.run(main_only, env=env, check=True, capture_output=True, text=True).stderr
    return int(err.strip().splitlines()[-1]) / 1024, largest


def raw_throughput(path: Path, limit_mb: int) -> float:
    """MB/s of tiktoken itself on the first `limit_mb` MB of records (one core)."""
    from costcalc.tokenizers import get_tokenizer

    texts, size = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            size += len(texts[-1].encode("utf-8"))
            if size >= limit_mb * 1024 * 1024:
                break
    enc = get_tokenizer("openai:o200k_base").encoding  # the tiktoken.Encoding our backend wraps
    start = time.perf_counter()
    for text in texts:
        enc.encode_ordinary(text)
    return size / 1024 / 1024 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-cores", action="store_true", help="skip the 2-core vs 1-core runs (2.)")
    parser.add_argument("--only-cores", action="store_true", help="only 2. and 3. (the 1 GB runs)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="costcalc-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work)


def run(args: argparse.Namespace, work: Path) -> None:
    medium, big = work / "medium.jsonl", work / "big.jsonl"
    if not args.only_cores:
        generate(medium, 200, seed=3)
    print(f"generating {args.size_mb} MB ...", file=sys.stderr)
    records = generate(big, args.size_mb, seed=2)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {args.runs} runs\n")

    est = [*COSTCALC, "estimate", "-m", OFFERING, "--format", "json"]
    if not args.only_cores:
        one = statistics.median(timed([*est, str(medium), "--workers", "1"])[0] for _ in range(args.runs))
        ours = medium.stat().st_size / 1024 / 1024 / one
        raw = statistics.median(raw_throughput(medium, 40) for _ in range(args.runs))
        print(f"1. throughput, 1 process: estimate {ours:.1f} MB/s vs raw tiktoken {raw:.1f} MB/s = "
              f"{ours / raw:.2f}x   (target >= 0.9x; ours: a whole 200 MB run, with start-up, reading and JSON "
              "parsing)", flush=True)
    if not args.skip_cores:
        cores = sorted(os.sched_getaffinity(0))[:2] if hasattr(os, "sched_getaffinity") else []
        if len(cores) == 2 and shutil.which("taskset"):
            pin1, pin2 = ["taskset", "-c", str(cores[0])], ["taskset", "-c", f"{cores[0]},{cores[1]}"]
            times: tuple[list[float], list[float]] = ([], [])
            tokens = set()
            for i in range(args.runs):  # interleaved, alternating which goes first
                runs = ((0, [*pin1, *est, str(big), "--workers", "1"]), (1, [*pin2, *est, str(big), "--workers", "2"]))
                for slot, cmd in runs if i % 2 == 0 else runs[::-1]:
                    elapsed, out = timed(cmd)
                    times[slot].append(elapsed)
                    tokens.add(json.loads(out)["offerings"][0]["tokens"])
            one_c, two_c = statistics.median(times[0]), statistics.median(times[1])
            print(f"2. estimate on {args.size_mb} MB: 1 core {one_c:.1f} s vs 2 cores {two_c:.1f} s = "
                  f"{one_c / two_c:.2f}x   (target >= 1.9x; median of {args.runs} interleaved runs; "
                  f"{'same count' if len(tokens) == 1 else 'COUNTS DIFFER'})", flush=True)
        else:
            print("2. skipped: needs two cores and taskset")

    main_mb, worker_mb = peak_rss_mb([*est, str(big)])
    print(f"3. peak memory counting {args.size_mb} MB ({records:,} records): main process {main_mb:.0f} MB, "
          f"largest process {worker_mb:.0f} MB   (target < 300 MB)", flush=True)
    if args.only_cores:
        return

    exact_time, exact_out = timed([*est, str(big)])
    sample_time, sample_out = timed([*est, str(big), "--sample", "0.01"])
    exact = json.loads(exact_out)["offerings"][0]["tokens"]
    sampled = json.loads(sample_out)["offerings"][0]
    covered = sampled["tokens_ci_low"] <= exact <= sampled["tokens_ci_high"]
    print(f"4. --sample 0.01: {sampled['tokens']:,} tokens vs exact {exact:,} = error "
          f"{(sampled['tokens'] / exact - 1) * 100:+.3f} %; 95 % interval [{sampled['tokens_ci_low']:,}, "
          f"{sampled['tokens_ci_high']:,}] {'covers' if covered else 'MISSES'} the truth; "
          f"{sample_time:.1f} s vs exact {exact_time:.1f} s = {exact_time / sample_time:.1f}x faster")

    help_time = statistics.median(timed([*COSTCALC, "--help"])[0] for _ in range(args.runs))
    bare = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(args.runs))
    print(f"5. start-up: costcalc --help {help_time * 1000:.0f} ms vs python -c pass {bare * 1000:.0f} ms "
          f"= {help_time / bare:.1f}x")


if __name__ == "__main__":
    main()
