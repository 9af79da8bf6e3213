"""The signals that end a run (Ctrl-C's SIGINT; SIGTERM, from `timeout` or `kill`), held
back over the few steps that must not be cut in two.

Two ways to hold them, for two kinds of step:
- `deferred`: this process's handlers note the signal instead of acting on it, and it is
  acted on at the end of the block (between two renames of output shards; while the
  pool forks its workers, where the handler would otherwise run inside a fork hook,
  whose exceptions Python prints and ignores);
- `blocked_for_children`: the signals are blocked in this thread, and so in the threads
  and processes it starts (the processes until they unblock them): for worker
  processes, which must not take the run's own handler for theirs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The signals that end a run.
RUN_ENDING = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the end of the block, then handle the first one
    that came (as usual: by the handlers that were set before the block).

    The handlers are swapped for ones that only note the signal. Python runs handlers
    in the main thread, whichever thread the system delivered the signal to, so
    masking it in the main thread would not be enough once other threads exist (numpy's
    BLAS starts some at import). A no-op outside the main thread, where handlers cannot
    be set: signals never interrupt such a thread anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: noted.append(signum)) for signum in RUN_ENDING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in noted[:1]:
            signal.raise_signal(signum)


@contextmanager
def blocked_for_children() -> Iterator[None]:
    """Block Ctrl-C and SIGTERM in this thread until the end of the block; the threads
    and processes started meanwhile inherit the block. A process started so must
    unblock them itself (`unblock`), once it has its own handlers: until then a
    signal waits for it, where the handlers it inherited (this process's) would
    have run. A no-op where there are no signal masks (Windows)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, RUN_ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def unblock() -> None:
    """Let through, in this thread, the signals `blocked_for_children` held back; one
    that came meanwhile is handled now."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, RUN_ENDING)
