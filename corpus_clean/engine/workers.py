"""Where work runs: a function over chunks of pages, in this process or in worker processes.

What the work is lives elsewhere (`chunk_work`, in the order of `plan`); this module only decides where it runs.
Results always come back in the order of the chunks, so the output does not depend
on the number of workers or on which one finished first.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from ..engine import signals

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class LazyChunks(Sequence):
    """Chunks of `size` items out of `n` (the last one shorter), each made only when a
    worker is about to get it: `make(lo, hi)` builds the chunk of items lo..hi-1.

    A million pages' units of work, built all at once, would hold a tuple and its
    arrays' views per page (about 600 MB) for the whole pass; `Pool.imap` takes them
    one by one from an iterator, so at most the pool's backlog exists at a time.
    """

    def __init__(self, n: int, size: int, make: Callable[[int, int], T]) -> None:
        self.n, self.size, self.make = n, size, make

    def __len__(self) -> int:
        return -(-self.n // self.size)

    def __getitem__(self, k: int) -> T:
        if not 0 <= k < len(self):
            raise IndexError(k)
        lo = k * self.size
        return self.make(lo, min(lo + self.size, self.n))


class WorkerDied(RuntimeError):
    """A worker process ended in the middle of a run (killed, most often by the kernel
    when memory ran out): the chunk it held is lost, so the run cannot finish."""


#: How often, while waiting for a result, the workers are checked for one that died.
_WATCH_SECONDS = 0.5


def _death(exitcode: int) -> str:
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = f"was killed by {name}"
        if -exitcode == signal.SIGKILL:
            why += " (the kernel's out-of-memory killer ends processes so when memory runs out)"
    else:
        why = f"exited with code {exitcode}"
    return (
        f"a worker process {why}, and the pages it was cleaning with it; the run cannot finish. "
        "Run again with --max-memory (for example --max-memory 4G) or with fewer --jobs."
    )


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent, and die quietly when the pool ends them.
    The signals blocked while the pool forked them (see `Workers.start`) come through
    only now: a SIGTERM that came meanwhile ends the worker here."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signals.unblock()


#: In a worker: the barrier that holds each task of `Workers.in_each` until every
#: worker has one (a barrier is shared by being inherited when the pool forks).
_each_barrier = None
#: How long a task of `in_each` waits for the other workers to take theirs.
_EACH_WAIT_SECONDS = 120


def _worker_start(barrier) -> None:
    global _each_barrier
    _each_barrier = barrier
    _worker_signals()


def _held_until_each_has_one(func: Callable[[], None]) -> None:
    # a worker that is done with its task could take another worker's; held here, it
    # cannot: every task is taken, by a worker of its own, before any runs
    _each_barrier.wait(timeout=_EACH_WAIT_SECONDS)
    func()


class Workers:
    """One pool of worker processes for a whole run (or none, for `jobs` <= 1).

    The pool is started once, by `start` or when `map` first needs it, and its workers
    keep their caches (cleaned lines, the language model) from one pass to the next.
    A forked worker keeps the page it shares with this process whenever this process
    writes to it (copy on write), and every use of a Python object writes to it (its
    reference count): so the pool is best started before the run makes many objects
    (a million files' records, 600 MB, that the passes then go through).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool = None
        #: the pool's workers as started: one that exits before the pool is closed died
        self._started: list = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            # a worker that died since the last result (the pool started another in its
            # place) may have left a lock of the queues held: closing would wait for ever
            if exc[0] is not None or any(process.exitcode is not None for process in self._started):
                _end_pool(self._pool)
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None
            self._started = []
            gc.unfreeze()  # frozen when the pool started (see `map`)

    def close(self) -> None:
        """End the workers once the run needs them no more, so that the memory they hold
        (their caches, and their own resident copies of what they share with this
        process) is not held beside the merge's. A later `map` would start a new pool,
        forked from this bigger process."""
        self.__exit__(None, None, None)

    def map(self, func: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        """func(chunk) for every chunk, in chunk order."""
        if self.jobs <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield func(chunk)
            return
        self.start()
        # a worker that dies takes its chunk with it: `Pool` starts another worker, but
        # the chunk's result never comes and the run would wait for ever, so while it
        # waits it looks at the workers
        results = self._pool.imap(func, chunks)
        while True:
            try:
                result = results.next(timeout=_WATCH_SECONDS)
            except StopIteration:
                return
            except multiprocessing.TimeoutError:
                self._check_workers()
                continue
            yield result

    def start(self) -> None:
        """Start the pool (of `jobs` > 1 workers), unless it is started."""
        if self.jobs > 1 and self._pool is None:
            # fork shares the parent's imported modules and costs nothing to start on
            # Linux; elsewhere spawn is the safe default
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            # what exists now lives as long as the run: out of the collector's sight, its
            # pages stay shared with the workers (a collection writes to every object it
            # visits, and each write copies a page into the worker)
            gc.freeze()
            context = multiprocessing.get_context(method)
            # a Ctrl-C or SIGTERM that comes while the workers are forked ends the run
            # once the pool is recorded here, so that the pool is ended with the run.
            # Deferred: a handler that runs inside a fork hook has its exception printed
            # and ignored by Python, so the run would go on. Blocked: a worker forked
            # inherits this process's handler, would ignore it the same way in a fork
            # hook of its own and outlive the run; it unblocks the signals once it has
            # its own (`_worker_signals`). So do
            # the workers the pool forks later in place of dead ones, from a thread
            # started here, which inherits the block.
            with signals.deferred(), signals.blocked_for_children():
                self._pool = _QuietPool(
                    self.jobs, initializer=_worker_start, initargs=(context.Barrier(self.jobs),), context=context
                )
                self._started = list(getattr(self._pool, "_pool", ()))

    def in_each(self, func: Callable[[], None]) -> None:
        """func() in this process and once in each worker: for what a pass leaves in the
        memory of the processes that did its work (this one, with one job or one chunk)
        that the next stage does not need."""
        func()
        if self._pool is None:
            return
        pending = self._pool.map_async(_held_until_each_has_one, [func] * self.jobs, chunksize=1)
        while not pending.ready():  # watched as `map` is: a dead worker never answers
            pending.wait(_WATCH_SECONDS)
            self._check_workers()
        pending.get()

    def _check_workers(self) -> None:
        for process in self._started:
            if process.exitcode is not None:
                raise WorkerDied(_death(process.exitcode))


def _end_pool(pool: multiprocessing.pool.Pool) -> None:
    """`pool.terminate()`, which cannot hang on a lock a dead worker held.

    Workers share two locks with this process's threads, and a worker killed while it
    holds one (a SIGTERM sent to the whole process group, by `timeout` or `kill --
    -PGID`; the out-of-memory killer) leaves it held for ever:
    - the lock of the tasks' queue, which a worker holds while it waits for work;
    - the lock of the results' queue, which a worker holds while it sends a result
      (the last result may have arrived here before its sender let go of the lock).
    `terminate` waits for both (it takes the first, and sends the result reader its
    end through the second), while the pool starts new workers that wait for them
    too. So: no new workers, every worker killed, then each lock released if a dead
    worker left it held."""
    handler = getattr(pool, "_worker_handler", None)
    workers = getattr(pool, "_pool", None)
    # with the longest that one of this process's threads may hold each, for a few
    # bytes: none takes the first before `terminate`; one sends the reader its end
    locks = [
        (getattr(getattr(pool, "_inqueue", None), "_rlock", None), 0.0),
        (getattr(getattr(pool, "_outqueue", None), "_wlock", None), 1.0),  # None on Windows: no lock
    ]
    if handler is None or workers is None:  # a Pool built otherwise: as it is
        pool.terminate()
        return
    handler._state = multiprocessing.pool.TERMINATE  # it starts no worker after its current round
    notifier = getattr(pool, "_change_notifier", None)
    if notifier is not None:
        notifier.put(None)  # wakes it up to see that
    handler.join(timeout=5)
    for process in list(workers):
        if process.exitcode is None:
            process.kill()
    for process in list(workers):
        process.join(timeout=5)
    for lock, wait in locks:
        if lock is not None:
            _release_if_held_by_the_dead(lock, wait)
    spare = _end_the_results_pipe(pool)
    pool.terminate()
    for end in spare:
        end.close()


def _end_the_results_pipe(pool: multiprocessing.pool.Pool) -> tuple:
    """Once every worker is dead, end the results' pipe, so that the pool's reader of
    results reads what is left in it and then its end, and stops.

    Else it may never stop, and `terminate` waits for it: a worker killed in the middle
    of sending a result leaves only the start of it in the pipe, and the reader waits
    for the rest, taking in `terminate`'s own end-of-results message as part of it.
    This process holds the last write end of the pipe (the dead workers' ended with
    them): its end is swapped for that of a spare pipe, which takes the messages still
    to come (`terminate`'s) so that nothing fails, and then closed. The results still
    awaited will never come: the pool is told so, by forgetting them (`terminate` sees
    them as an error once the reader stopped). Returns the spare pipe's ends, to close
    after `terminate`."""
    outqueue = getattr(pool, "_outqueue", None)
    lock = getattr(outqueue, "_wlock", None)
    writer = getattr(outqueue, "_writer", None)
    cache = getattr(pool, "_cache", None)
    if lock is None or writer is None or cache is None:  # not the fork or spawn pool of Linux: as it is
        return ()
    spare = multiprocessing.Pipe(duplex=False)
    with lock:  # (every message is sent holding it)
        outqueue._writer = spare[1]
    writer.close()
    handler = getattr(pool, "_result_handler", None)
    if handler is not None:
        handler.join(timeout=5)
    cache.clear()
    return spare


def _release_if_held_by_the_dead(lock, wait: float) -> None:
    """Once every worker is dead, a lock still held after `wait` seconds is held by a
    dead one (a process may release a `multiprocessing.Lock` that another one holds)."""
    if lock.acquire(timeout=wait) if wait > 0 else lock.acquire(block=False):
        lock.release()
    else:
        lock.release()


class _QuietPool(multiprocessing.pool.Pool):
    """A `Pool` whose worker-keeping thread does not wake up for every result.

    The standard pool's thread that replaces exited workers also waits on the results
    pipe, so as long as a result lies in it unread (always, while workers are busier
    than the thread that reads their results), that thread wakes, finds nothing to
    do and waits again, in a loop that holds the GIL against the main thread (a sixth
    of the main process's CPU with two busy workers). Workers here exit
    only when the pool ends or when they die, which their own sentinels and the
    pool's change notifier still report."""

    def _get_sentinels(self) -> list:
        notifier = getattr(self, "_change_notifier", None)
        if notifier is None or not hasattr(notifier, "_reader"):  # a Pool built otherwise: as it is
            return super()._get_sentinels()
        return [notifier._reader]


def release_freed_memory() -> None:
    """Give the memory freed by a stage back to the system (glibc keeps freed heap
    for reuse; after the cluster stage that is most of a gigabyte at 100k pages, which
    the next stage's workers and merger would otherwise sit on top of). No-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to do
        pass


#: Allocations between two young-generation collections while a run is on (Python's
#: default is 700). A run allocates millions of small objects that live until the
#: end of a chunk or of the run, few of them in reference cycles: with the default,
#: the collector ran about 900 times per 10k pages, for 3-7 % of the time.
RUN_GC_THRESHOLD = 50_000


@contextmanager
def run_collections() -> Iterator[None]:
    """Collect garbage less often during a run (see `RUN_GC_THRESHOLD`); the process's
    setting is restored at the end."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], RUN_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
