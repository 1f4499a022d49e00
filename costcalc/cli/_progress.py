"""A progress bar on stderr for long counting runs (quiet when stderr is not a terminal or the run is short)."""

from __future__ import annotations

import sys
import time

import click


class ProgressBar:
    """Callable as costcalc.counting.Progress: (done, total) in characters."""

    def __init__(self, label: str = "Counting", min_chars: int = 2_000_000) -> None:
        self.label = label
        self.min_chars = min_chars
        self.bar = None
        self.shown = 0
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.min_chars or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_eta=True)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done
        if done >= total:
            self.bar.__exit__(None, None, None)
