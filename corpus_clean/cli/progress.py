"""Progress on stderr while run works: a bar per pass on a terminal, else a plain line now and then."""

from __future__ import annotations

import contextlib
import time

from rich.console import Console

from .common import log_line

#: Seconds between two progress lines on a stderr that is not a terminal.
PROGRESS_EVERY = 10.0


class ProgressLines:
    """Progress for a stderr that is not a terminal (a log file, CI, nohup): a plain line at
    most every `every` seconds, none in a run shorter than that; with `verbose`, a line
    as each stage starts too. `clock` is there for tests, which must not sleep."""

    def __init__(self, write, every: float = PROGRESS_EVERY, verbose: bool = False, clock=time.monotonic) -> None:
        self.write, self.every, self.verbose, self.clock = write, every, verbose, clock
        self.last = clock()
        self.stages: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.verbose and stage not in self.stages:
            self.stages.add(stage)
            self.write(f"{stage}: {total} to do")
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.write(f"{stage} {done}/{total}" + (f" ({done / total:.0%})" if total else ""))


class StageLog(dict):
    """`Report.stage_seconds` that tells each stage as it ends (`-v`)."""

    def __init__(self, write) -> None:
        super().__init__()
        self.write = write

    def __setitem__(self, stage: str, seconds: float) -> None:
        super().__setitem__(stage, seconds)
        if getattr(self, "write", None) is not None:
            self.write(f"{stage}: done after {seconds:.1f} s")


@contextlib.contextmanager
def progress_display(console: Console, verbose: bool = False):
    """Progress on stderr: a bar per pass on a terminal, else a plain line now and then."""
    if console.quiet:
        yield None
        return
    if not console.is_terminal:
        yield ProgressLines(log_line, PROGRESS_EVERY, verbose)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description:12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        # the bar's refresh thread starts with the first update, after the run has forked
        # its workers: a fork copies the locks that other threads hold, held for ever
        if not tasks:
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()
