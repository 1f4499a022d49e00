"""`costcalc estimate` benchmarks, printed as ratios measured in one run.

    python benchmarks/bench_estimate.py [--size-mb 1024] [--runs 3]

1. counting throughput of `estimate` on 1 process vs the raw library (tiktoken's encode_ordinary over the same
   records in the same run; its fastest single-thread path), per core: target >= 0.9x
2. `estimate` on 2 cores (`taskset -c 0,1`, --workers 2) vs 1 core (`taskset -c 0`, --workers 1) on the
   --size-mb input (default 1 GB), interleaved runs: target >= 1.9x. Also printed, as they are far less noisy
   than wall time on a shared machine: CPU seconds per GB of the main process and of the workers, how busy our
   processes kept the cores, how busy the machine's cores were meanwhile (/proc/stat: other jobs show up as the
   difference), and whether every run gave the same tokens and costs.
3. peak memory counting a generated input of --size-mb (default 1 GB) with the default workers: the main
   process, the largest worker, and the whole process tree (sum of RSS, sampled every 0.1 s: pages a worker
   shares with its parent counted in both, an upper bound; and sum of PSS): target < 300 MB for the tree
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
import threading
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


# Runs costcalc in this interpreter and reports its own and its children's CPU time and peak RSS on stderr.
PROBE = (
    "import json, resource, runpy, sys\n"
    "sys.argv = ['costcalc', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('costcalc', run_name='__main__')\n"
    "except SystemExit as e:\n    assert not e.code, e.code\n"
    "me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps([me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, me.ru_maxrss, kids.ru_maxrss]),"
    " file=sys.stderr)\n"
)


def _cpu_busy() -> list[tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    lines = Path("/proc/stat").read_text().splitlines()
    rows = [line.split() for line in lines if line.startswith("cpu") and line[3] != " "]
    return [(sum(map(int, r[1:])) - int(r[4]) - int(r[5]), sum(map(int, r[1:]))) for r in rows]


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over `pid` and its descendants (Linux /proc). RSS counts a page shared by a forked
    worker and its parent once in each (an upper bound); PSS splits it between them."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Rss:", "Pss:")):
                    kb = int(line.split()[1])
                    rss, pss = (rss + kb, pss) if line[0] == "R" else (rss, pss + kb)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return rss, pss


def probed(cmd: list[str], pin: list[str] | None = None, memory: bool = False) -> dict:
    """Run `costcalc ARGS` (cmd as for `timed`), pinned with `pin`: wall time, CPU seconds of the main process and
    of its workers, their peak RSS, the machine's per-core busy fraction, the output, and with `memory` the
    tree's peak RSS (sampled every 0.1 s; not while timing, as sampling takes CPU)."""
    env = {**ENV, "COSTCALC_CACHE_DIR": ""}
    before = _cpu_busy()
    start = time.perf_counter()
    proc = subprocess.Popen([*(pin or []), sys.executable, "-c", PROBE, *cmd[3:]], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = (0, 0)
    out: list[tuple[str, str]] = []
    reader = threading.Thread(target=lambda: out.append(proc.communicate()))
    reader.start()
    while reader.is_alive():
        if memory:
            peak = tuple(map(max, peak, _tree_memory_kb(proc.pid)))
        reader.join(0.1)
    wall = time.perf_counter() - start
    after = _cpu_busy()
    stdout, stderr = out[0]
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    main_cpu, workers_cpu, main_rss, worker_rss = json.loads(stderr.strip().splitlines()[-1])
    busy = [(b1 - b0) / max(t1 - t0, 1) for (b0, t0), (b1, t1) in zip(before, after, strict=True)]
    return {"wall": wall, "main_cpu": main_cpu, "workers_cpu": workers_cpu, "main_mb": main_rss / 1024,
            "worker_mb": worker_rss / 1024, "tree_mb": peak[0] / 1024, "tree_pss_mb": peak[1] / 1024,
            "busy": busy, "out": json.loads(stdout)}


def timed(cmd: list[str]) -> tuple[float, str]:
    env = {**ENV, "COSTCALC_CACHE_DIR": ""}
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


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
    parser.add_argument("--corpus", type=Path, help="a JSONL file to use for 2. and 3. instead of generating one")
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
    if args.corpus:
        big = args.corpus
        args.size_mb = big.stat().st_size / 1024 / 1024
        with big.open("rb") as f:
            records = sum(1 for _ in f)
    else:
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
            pins = (["taskset", "-c", str(cores[0])], ["taskset", "-c", f"{cores[0]},{cores[1]}"])
            runs: tuple[list[dict], list[dict]] = ([], [])
            for i in range(args.runs):  # interleaved, alternating which goes first
                order = (0, 1) if i % 2 == 0 else (1, 0)
                for slot in order:
                    r = probed([*est, str(big), "--workers", str(slot + 1)], pins[slot])
                    runs[slot].append(r)
                    print(f"   run {i + 1}, {slot + 1} core(s): {r['wall']:.1f} s, CPU main {r['main_cpu']:.1f} s + "
                          f"workers {r['workers_cpu']:.1f} s, machine cores busy "
                          f"{' / '.join(f'{b:.0%}' for b in r['busy'])}", file=sys.stderr, flush=True)
            same = len({json.dumps(r["out"]["offerings"], sort_keys=True) for r in runs[0] + runs[1]}) == 1
            one_c, two_c = (statistics.median(r["wall"] for r in rs) for rs in runs)
            print(f"2. estimate on {args.size_mb:.0f} MB: 1 core {one_c:.1f} s vs 2 cores {two_c:.1f} s = "
                  f"{one_c / two_c:.2f}x   (target >= 1.9x; median of {args.runs} interleaved runs; "
                  f"{'same tokens and costs in every run' if same else 'RESULTS DIFFER'})", flush=True)
            gb = big.stat().st_size / 1024**3
            cpu_one = statistics.median(r["main_cpu"] for r in runs[0])
            path_two = statistics.median(r["main_cpu"] + r["workers_cpu"] / 2 for r in runs[1])
            print(f"   from CPU time: 1 core {cpu_one:.1f} s vs 2 cores' critical path (main process + half the "
                  f"workers) {path_two:.1f} s = {cpu_one / path_two:.2f}x: the wall ratio on an idle machine if "
                  "each worker has a core to itself and they share the pieces evenly", flush=True)
            for n, rs in zip((1, 2), runs, strict=True):
                main = statistics.median(r["main_cpu"] for r in rs) / gb
                workers = statistics.median(r["workers_cpu"] for r in rs) / gb
                ours = statistics.median((r["main_cpu"] + r["workers_cpu"]) / (r["wall"] * n) for r in rs)
                machine = statistics.median(sum(r["busy"][:n]) / n for r in rs)
                print(f"   {n} core(s): CPU per GB main process {main:.1f} s + workers {workers:.1f} s = "
                      f"{main + workers:.1f} s; our processes kept the {n} core(s) {ours:.0%} busy; the machine's "
                      f"core(s) were {machine:.0%} busy (the difference: other jobs)", flush=True)
        else:
            print("2. skipped: needs two cores and taskset")

    r = probed([*est, str(big)], memory=True)
    print(f"3. peak memory counting {args.size_mb:.0f} MB ({records:,} records, {r['out']['provenance']['workers']} "
          f"workers): main process {r['main_mb']:.0f} MB, largest worker {r['worker_mb']:.0f} MB, whole process tree "
          f"{r['tree_mb']:.0f} MB RSS ({r['tree_pss_mb']:.0f} MB PSS)   (target < 300 MB)", flush=True)
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
