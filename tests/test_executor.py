"""Where work runs: results in chunk order whatever the number of workers, and a pool
whose housekeeping thread stays asleep while results come in."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import pickle
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from corpus_clean.dedup.clusters import ClusterArrays
from corpus_clean.engine.chunk_work import PageBatch
from corpus_clean.engine.workers import LazyChunks, WorkerDied, Workers, _end_pool, _QuietPool
from corpus_clean.io.read import InputFile


def _square(chunk: list[int]) -> list[int]:
    return [x * x for x in chunk]


def _square_or_die(chunk: list[int]) -> list[int]:
    if 13 in chunk:  # as the kernel ends a process that ran out of memory
        os.kill(os.getpid(), signal.SIGKILL)
    return _square(chunk)


def _slow_square(x: int) -> int:
    time.sleep(0.002)  # results arrive one by one, as a run's do
    return x * x


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_chunk_order(jobs):
    chunks = LazyChunks(1000, 7, lambda lo, hi: list(range(lo, hi)))
    with Workers(jobs) as workers:
        out = [x for result in workers.map(_square, chunks) for x in result]
    assert out == [x * x for x in range(1000)]


def _note_pid(folder: str) -> None:
    time.sleep(0.05)  # a worker done at once must not take a second task
    Path(folder, f"{os.getpid()}-{time.monotonic_ns()}").touch()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_in_each_runs_once_in_every_worker(jobs, tmp_path):
    """What a pass left in the processes that did its work is let go of in each
    worker, once, and in this process (where the work runs with one job, or one chunk)."""
    chunks = LazyChunks(100, 7, lambda lo, hi: list(range(lo, hi)))
    with Workers(jobs) as workers:
        assert sum(len(r) for r in workers.map(_square, chunks)) == 100
        started = {p.pid for p in workers._started} | {os.getpid()}
        for round in range(3):
            folder = tmp_path / str(round)
            folder.mkdir()
            workers.in_each(partial(_note_pid, str(folder)))
            pids = [int(name.split("-")[0]) for name in os.listdir(folder)]
            assert sorted(pids) == sorted(started), round
    assert len(started) == (jobs if jobs > 1 else 0) + 1


def _wakeups(pool_class, monkeypatch) -> int:
    """How often the pool's worker-keeping thread woke up during 300 tasks."""
    woke = [0]
    maintain = multiprocessing.pool.Pool._maintain_pool  # what the thread does on waking

    def counted(cls, *args):
        woke[0] += 1
        return maintain(*args)

    with monkeypatch.context() as patched:
        patched.setattr(multiprocessing.pool.Pool, "_maintain_pool", classmethod(counted))
        pool = pool_class(2, context=multiprocessing.get_context("fork"))
        try:
            results = pool.imap(_slow_square, range(300))
            squares = [results.next(timeout=60) for _ in range(300)]  # a lost task fails, not hangs
        finally:
            _end_pool(pool)  # as a run ends its pool: a worker that does not exit is killed
    assert squares == [i * i for i in range(300)]
    return woke[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork")
def test_the_quiet_pool_does_not_wake_for_every_result(monkeypatch):
    # the standard pool wakes on every result (it waits on the results pipe); the run's
    # pool wakes only when the pool starts, changes or ends
    assert _wakeups(multiprocessing.pool.Pool, monkeypatch) > 50
    assert _wakeups(_QuietPool, monkeypatch) < 10


def test_a_page_batch_gives_each_page_its_own_arrays_and_pickles_whole():
    n = 12
    arrays = ClusterArrays(
        np.arange(n, dtype=np.int64) * 3,
        np.arange(n, dtype=np.int32),
        np.arange(n, dtype=np.uint64) + 7,
        np.full(n, 5, dtype=np.int32),
    )
    bounds = [(0, 4), (4, 4), (4, 11), (11, 12)]  # a page without paragraphs among them
    files = [InputFile(f"p{k}.txt", Path(f"/x/p{k}.txt")) for k in range(len(bounds))]
    batch = pickle.loads(
        pickle.dumps(PageBatch([(10 + k, f, *b) for k, (f, b) in enumerate(zip(files, bounds))], arrays))
    )
    assert len(batch) == 4
    for k, (index, item, page_arrays) in enumerate(batch):
        lo, hi = bounds[k]
        assert (index, item) == (10 + k, files[k])
        assert page_arrays.infos() == arrays.infos(lo, hi)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL of a forked worker")
def test_a_worker_killed_mid_run_ends_the_run_with_a_reason_instead_of_a_hang():
    """The standard pool replaces a dead worker but never gives the result of the chunk
    it held: waiting for it would hang the run for ever."""
    started = time.monotonic()
    with pytest.raises(WorkerDied, match="SIGKILL.*--max-memory"), Workers(2) as workers:
        list(workers.map(_square_or_die, [list(range(i, i + 5)) for i in range(0, 100, 5)]))
    assert time.monotonic() - started < 30
    with Workers(2) as workers:  # a run whose workers live is not disturbed by the watch
        assert list(workers.map(_square, [[1, 2], [3]])) == [[1, 4], [9]]


_ENDED_WORKERS = """
import multiprocessing, os, signal, struct, sys, time
from corpus_clean.engine.workers import Workers


def die_holding(lock, sent=b""):
    lock.acquire()
    if sent:
        os.write(workers._pool._outqueue._writer.fileno(), sent)
    os.kill(os.getpid(), signal.SIGKILL)


with Workers(2) as workers:
    try:
        assert list(workers.map(abs, [-1, -2, -3, -4])) == [1, 2, 3, 4]
        if sys.argv[1] in ("results", "half a result"):
            # a worker killed as it sends a result dies holding the lock of the results'
            # queue: the result may be here already, the lock not let go of yet; or
            # only its start is, and the pool's reader of results waits for the rest
            held = workers._pool._outqueue._wlock
            sent = struct.pack("!i", 1000) + b"x" * 10 if sys.argv[1] == "half a result" else b""
            dying = multiprocessing.get_context("fork").Process(target=die_holding, args=(held, sent))
            dying.start()
            dying.join()
            assert not held.acquire(timeout=0.1)
        # the workers now wait for work, one of them holding the lock of the tasks' queue;
        # a SIGTERM to the whole process group (`timeout`, `kill -- -PGID`) ends them
        for p in workers._started:
            os.kill(p.pid, signal.SIGTERM)
        time.sleep(1)
        raise KeyboardInterrupt  # the run's own SIGTERM, turned into an interrupt by the CLI
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        raise
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork")
@pytest.mark.parametrize("held", ["tasks", "results", "half a result"])
def test_a_run_ended_by_sigterm_to_its_process_group_does_not_hang(tmp_path, held):
    """A worker that dies waiting for work dies holding the lock of the tasks' queue, one
    that dies sending a result the lock of the results' queue (and maybe half its
    result in the pipe, for ever awaited by the pool's reader of results), and
    `Pool.terminate` waits for any of them for ever: ending the pool must not."""
    script = tmp_path / "ended.py"
    script.write_text(_ENDED_WORKERS)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(script), held], capture_output=True, text=True, timeout=60)
    assert "interrupted" in done.stdout, done.stderr
    assert done.returncode != 0 and "KeyboardInterrupt" in done.stderr
    assert time.monotonic() - started < 30


_DIED_BETWEEN_MAPS = """
import os, signal, time
from corpus_clean.engine.workers import Workers

with Workers(2) as workers:
    assert list(workers.map(abs, [-1, -2, -3, -4])) == [1, 2, 3, 4]
    # killed as they wait for work (one of them holding the lock of the tasks' queue);
    # the pool starts others in their place, which wait for that lock
    for p in workers._started:
        os.kill(p.pid, signal.SIGKILL)
    time.sleep(1)
print("closed", flush=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL of a forked worker")
def test_a_worker_that_died_after_the_last_result_does_not_hang_the_end_of_the_run(tmp_path):
    script = tmp_path / "between.py"
    script.write_text(_DIED_BETWEEN_MAPS)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "closed" in done.stdout, done.stderr
    assert time.monotonic() - started < 30
