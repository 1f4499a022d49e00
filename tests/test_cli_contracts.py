"""The CLI's contracts, table-driven: every bad input of issue #13 ends in one `Error: ...` line naming the
problem and the fix, with the documented exit code (1 runtime/data, 2 usage), no traceback and no file or
directory created; plus the pipe, terminal and --debug behaviours."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
GOLD = ["--corpus", str(DATA / "gold-corpus"), "--pricing-dir", str(DATA / "gold-pricing"), "--workers", "1",
        "--as-of", "2023-12-14"]
DEMO = ["-m", "demo/euro-model", "-m", "demo/gpt-like"]


@pytest.fixture(scope="module")
def not_dask():
    """Two servers on 127.0.0.1 that are not Dask schedulers: one answers like a web server at once, one says
    nothing. Bounded: each serves at most 20 connections and the threads are daemons."""
    servers = []

    def serve(reply: bytes | None) -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(5)
        sock.settimeout(60)

        def loop() -> None:
            for _ in range(20):
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                if reply is not None:
                    conn.sendall(reply)
                    conn.close()
                else:
                    servers.append(conn)  # keep it open and silent

        threading.Thread(target=loop, daemon=True).start()
        servers.append(sock)
        return sock.getsockname()[1]

    ports = {"web": serve(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), "silent": serve(None)}
    yield ports
    for s in servers:
        s.close()


def _setup(tmp_path: Path, monkeypatch, kind: str) -> None:
    if kind == "bad-cache-dir":
        (tmp_path / "a-file").write_text("x")
        monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "a-file"))
    elif kind == "corrupt-counts":
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / "counts.sqlite").write_bytes(b"not a database" * 100)
        monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "c"))
    elif kind == "texts":
        (tmp_path / "texts").mkdir()
        for i in range(3):
            (tmp_path / "texts" / f"{i}.txt").write_text(f"Ciao numero {i}.\n")
    elif kind == "installed":
        import shutil

        shutil.copytree(DATA / "gold-pricing", tmp_path / "lib" / "site-packages" / "costcalc" / "_data" / "pricing")


# (name, arguments, setup, exit code, a fragment of the one line on stderr; "" for a success)
CASES = [
    ("output-ratio not a number", ["report", *DEMO, *GOLD, "--direction", "mixed", "--output-ratio", "abc"], None, 2,
     "'--output-ratio': 'abc' is not a number"),
    ("output-ratio nan", ["report", *DEMO, *GOLD, "--direction", "mixed", "--output-ratio", "nan"], None, 2,
     "'nan' is not a finite number"),
    ("output-ratio inf", ["report", *DEMO, *GOLD, "--direction", "mixed", "--output-ratio", "inf"], None, 2,
     "'inf' is not a finite number"),
    ("output-ratio negative", ["report", *DEMO, *GOLD, "--direction", "mixed", "--output-ratio", "-1"], None, 2,
     "it must be at least 0"),
    ("cached-share nan", ["report", *DEMO, *GOLD, "--cached-share", "nan"], None, 2, "'nan' is not a finite number"),
    ("cached-share above 1", ["report", *DEMO, *GOLD, "--cached-share", "2"], None, 2, "must be between 0 and 1"),
    ("batch-share text", ["report", *DEMO, *GOLD, "--batch-share", "half"], None, 2, "'half' is not a number"),
    ("output-ratio without mixed", ["report", *DEMO, *GOLD, "--output-ratio", "0.3"], None, 2,
     "--output-ratio has no effect with --direction input (add --direction mixed"),
    ("mixed without output-ratio", ["report", *DEMO, *GOLD, "--direction", "mixed"], None, 2,
     "--direction mixed needs --output-ratio"),
    ("plot into a missing directory", ["report", *DEMO, *GOLD, "--plot", "{tmp}/missing/m.png"], None, 2,
     "directory '{tmp}/missing' does not exist"),
    ("output into a missing directory", ["report", *DEMO, *GOLD, "-o", "{tmp}/missing/r.md"], None, 2,
     "directory '{tmp}/missing' does not exist"),
    ("plot not a png", ["report", *DEMO, *GOLD, "--plot", "{tmp}/m.jpg"], None, 2, "the plot is a PNG"),
    ("table into a file", ["report", *DEMO, *GOLD, "--format", "table", "-o", "{tmp}/r.txt"], None, 2,
     "table is for the terminal"),
    ("unknown format", ["report", "--format", "xml"], None, 2, "'xml' is not one of 'table', 'md', 'csv', 'json', "),
    ("language by name", ["report", "-l", "Italian"], None, 2, "did you mean: it (Italian)?"),
    ("language without script", ["report", "-l", "zh"], None, 2, "did you mean: zh-Hans (Chinese (Simplified))?"),
    ("unknown language", ["report", *DEMO, *GOLD, "-l", "xx"], None, 2, "language 'xx' is not in corpus"),
    ("model id by its words", ["report", "-m", "claude-3-opus"], None, 2,
     "did you mean: anthropic/claude-3-opus-20240229"),
    ("unknown base", ["report", *DEMO, *GOLD, "--base", "demo/nope"], None, 2, "unknown offering 'demo/nope'"),
    ("unknown preset", ["report", "--preset", "newest"], None, 2, "unknown preset 'newest'"),
    ("command typo", ["reprot"], None, 2, "no such command 'reprot'; did you mean: report?"),
    ("bad date", ["prices", "list", "--as-of", "14/12/2023"], None, 2, "is not a date; use YYYY-MM-DD"),
    ("unknown currency", ["prices", "diff", "--from", "2024-01-01", "--currency", "GBP"], None, 2,
     "'GBP' is not one of 'usd', 'eur'"),
    ("no price on the date", ["report", *DEMO, *GOLD[:-2], "--as-of", "2023-12-05"], None, 1,
     "no price for demo/euro-model on 2023-12-05"),
    ("no FX rate", ["report", *DEMO, *GOLD[:-2], "--as-of", "2024-06-01"], None, 1, "no EUR/USD rate within 45 days"),
    ("sample selects nothing", ["estimate", "{tmp}/texts", "-m", "openai/gpt-4o", "--sample", "0.001"], "texts", 2,
     "--sample 0.001 selected none of the 3 units"),
    ("web server as scheduler", ["estimate", "{tmp}/texts", "-m", "openai/gpt-4o", "--engine", "dask",
                                 "--scheduler", "tcp://127.0.0.1:{web}", "--scheduler-timeout", "2"], "texts", 1,
     "answered, but not as a Dask scheduler"),
    ("silent server as scheduler", ["estimate", "{tmp}/texts", "-m", "openai/gpt-4o", "--engine", "dask",
                                    "--scheduler", "tcp://127.0.0.1:{silent}", "--scheduler-timeout", "1"], "texts",
     1, "did not answer as a Dask scheduler within 1 s"),
    ("refresh into an installed package", ["prices", "refresh", "--apply", "--source", "ecb", "--pricing-dir",
                                           "{tmp}/lib/site-packages/costcalc/_data/pricing"], "installed", 2,
     "refusing to write price tables inside the installed package"),
    ("missing count file", ["count", "{tmp}/missing.txt", "-t", "openai:o200k_base"], None, 2, "does not exist"),
    ("unknown tokenizer", ["count", "-", "-t", "meta:lama-3"], None, 2, "did you mean: meta:llama-3"),
    ("overlay that does not exist", ["prices", "list", "--prices", "{tmp}/mine.yaml"], None, 2,
     "price overlay '{tmp}/mine.yaml' does not exist"),
    ("unusable cache directory", ["report", *DEMO, *GOLD, "--format", "csv"], "bad-cache-dir", 0, ""),
    ("corrupt count cache", ["report", *DEMO, *GOLD, "--format", "csv"], "corrupt-counts", 0, ""),
    ("currency in lower case", ["prices", "diff", "--from", "2024-01-01", "--currency", "usd"], None, 0, ""),
]


@pytest.mark.parametrize(("args", "setup", "code", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_with_the_documented_exit_code(run, tmp_path, monkeypatch, not_dask, args, setup, code,
                                                             fragment):
    if setup:
        _setup(tmp_path, monkeypatch, setup)
    fill = {"tmp": str(tmp_path), **{k: str(v) for k, v in not_dask.items()}}
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(*[a.format(**fill) for a in args], input="x")
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 0:
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
        assert setup is None or warnings, result.stderr  # a skipped cache says so
        assert all(line.startswith("Warning: cache ") for line in warnings)
        return
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert fragment.format(**fill) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created, nothing lost


def _costcalc(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "costcalc", *args], capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_closed_pipe_exits_0_silently():
    proc = subprocess.Popen([sys.executable, "-m", "costcalc", "prices", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    code = proc.wait(timeout=300)
    assert first.startswith(b"offering")
    assert code == 0 and proc.stderr.read() == b""


def test_count_with_stdin_closed_is_one_line():
    done = _costcalc("count", "-", "-t", "openai:o200k_base", stdin=subprocess.DEVNULL, close_fds=True,
                     preexec_fn=lambda: os.close(0))
    assert done.returncode == 1
    assert done.stderr == ("Error: standard input is closed: nothing to count (pass a FILE, or pipe text into "
                           "`count -`)\n")


def test_count_at_a_terminal_says_how_to_end_input():
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "costcalc", "count", "-", "-t", "openai:o200k_base",
                             "--format", "json"], stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(follower)
    os.write(leader, b"hello world\n\x04")
    out, err = proc.communicate(timeout=300)
    os.close(leader)
    assert proc.returncode == 0, err
    assert b"Reading text from the terminal; end it with Ctrl-D on a new line" in err
    assert b'"tokens": 3' in out and b'"chars": 12' in out  # "hello", " world", "\n"; typed text is not lost


@pytest.mark.parametrize("where", ["first", "after the command", "last"])
def test_debug_anywhere_shows_the_traceback(where):
    args = ["report", "--preset", "newest"]
    at = {"first": 0, "after the command": 1, "last": len(args)}[where]
    done = _costcalc(*args[:at], "--debug", *args[at:])
    assert done.returncode == 1 and "Traceback" in done.stderr and "UsageError: unknown preset 'newest'" in done.stderr
