"""The local engine: the plan's steps (`plan`) on this machine, chunk work in worker processes.

    clean(paths, config) -> iterator of Article

Both passes run on `Config.jobs` processes (`workers.Workers`), and their results are
consumed in input order, so the output is the same whatever the number of processes.
Clustering runs in this process (`dedup.clusters.cluster_corpus`), on the few numbers
per paragraph the first pass kept and the fingerprint rows it wrote to disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..audit.ledger import Ledger
from ..audit.report import Report
from ..config import Config
from ..dedup.clusters import cluster_corpus
from ..engine import plan
from ..engine.chunk_work import FingerprintChunk, forget_first_pass
from ..engine.fingerprint_store import RowStore, on_disk
from ..engine.incremental import cluster_with_index
from ..engine.index import CorpusIndex
from ..engine.text_spool import text_folder
from ..engine.workers import LazyChunks, Workers, default_jobs, release_freed_memory, run_collections
from ..io.listing import spooled
from ..records import Article
from ..text.lang import load_model

#: Pages per unit of work sent to a process: big enough to amortise the transfer,
#: small enough to balance the load and to report progress.
PAGES_PER_CHUNK = 64


def clean(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    config: Config | None = None,
    report: Report | None = None,
    progress: plan.Progress | None = None,
    ledger: Ledger | None = None,
    index: CorpusIndex | None = None,
    only_new: bool = True,
) -> Iterator[Article]:
    """Yield the unique articles of the pages under `paths`, in order of first appearance.

    `paths` are folders (read recursively, files matching `config.glob`) or files.
    Pass a `Report` to receive the counts of the run (files skipped and why,
    paragraphs dropped and why, clusters, timings), `progress` to follow it, and a
    `Ledger` to record what became of every line (replay it with `ledger.blocks()`
    once the articles are consumed). With an `index` (see `index.CorpusIndex`), pages
    are cleaned against every page the index has seen, articles it has emitted before
    are left out (unless `only_new` is False), and the run is recorded in the index's
    transaction: call `index.commit()` once the output is safely written.
    Raises `read.InputError` when a path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    config = config or Config()
    report = report if report is not None else Report()
    progress = progress or (lambda stage, done, total: None)
    clock = plan.StageClock(report.stage_seconds)
    # the scratch folder of texts outlives the workers, which write to it: removed while
    # one of them (interrupted) still wrote a file there, it would be left behind
    with (
        text_folder(config.spool_dir) as text_dir,
        run_collections(),
        Workers(config.jobs or default_jobs()) as workers,
    ):
        # the workers are forked once the language model is loaded, so that they share
        # this process's copy, and before the input is listed: pages of the files'
        # records would be copied into each worker as the passes touch the records
        # (600 MB at 1M pages, held to the end; see `Workers`)
        if config.detect_language:
            load_model()
        workers.start()
        # pages inside containers (JSONL, WARC, WET, compressed) are unpacked once into a
        # spool folder, so that workers can re-read each page on its own; removed at the end
        with spooled(paths, config, config.spool_dir) as files:
            clock.lap("start")
            done = plan.run(LocalEngine(workers, text_dir), files, config, clock, progress, ledger, index, only_new)
    report.gather(done.stats)
    # the texts are read back as the articles are taken: with the writing (or whatever
    # the caller does with them), this is the run's last stage, and in its total
    for _, article in done.articles:
        yield done.read(article)
    clock.lap("write")
    report.seconds = clock.total()


class LocalEngine:
    """Chunks of `PAGES_PER_CHUNK` pages mapped over `workers`; clustering in this process."""

    def __init__(self, workers: Workers, text_dir: str) -> None:
        self.workers = workers
        self.text_dir = text_dir
        self.store = RowStore(text_dir)  # each distinct text's fingerprint row and text, once, on disk

    def chunks(self, n: int, make: Callable[[int, int], object]) -> LazyChunks:
        return LazyChunks(n, PAGES_PER_CHUNK, make)

    def first_pass(self, func: Callable, chunks: Sequence) -> Iterator[FingerprintChunk]:
        for chunk in self.workers.map(func, chunks):
            self.store.add(chunk.row_keys, chunk.rows, chunk.texts_file)
            yield chunk

    def forget_first_pass(self) -> None:
        self.workers.in_each(forget_first_pass)  # (a crawl of many distinct words: 250 MB a worker)
        release_freed_memory()

    def map(self, func: Callable, chunks: Sequence) -> Iterator:
        return self.workers.map(func, chunks)

    def close(self) -> None:
        self.workers.close()
        release_freed_memory()

    def cluster(self, job: plan.ClusterJob) -> plan.Clusters:
        kept, config, store = job.kept, job.config, self.store
        bounded = config.max_memory is not None and job.index is None
        if bounded:  # these few numbers a paragraph are half a gigabyte at 1M pages
            kept.keys, kept.empty, kept.pages = (
                on_disk(array, os.path.join(self.text_dir, f"paragraph-{name}.npy"))
                for name, array in (("keys", kept.keys), ("empty", kept.empty), ("pages", kept.pages))
            )
        row_keys = store.finish()
        combined = None
        if job.index is None:

            def texts_for(wanted_keys: np.ndarray) -> dict[int, str]:
                """The wanted texts (of some row keys), from the store."""
                at = np.searchsorted(row_keys, wanted_keys)
                return {int(k): store.text(int(i)) for k, i in zip(wanted_keys.tolist(), at.tolist())}

            arrays = cluster_corpus(
                kept.keys,
                kept.empty,
                kept.pages,
                row_keys,
                store,
                texts_for,
                config,
                job.stats,
                job.table,
                page_groups=job.page_groups,
                row_texts=store.texts,
                # 24 bytes a paragraph, read page by page in the second pass: made on disk
                arrays_dir=self.text_dir if bounded else None,
            )
            kept.keys = kept.empty = kept.pages = None  # not needed again: freed before the trim below
        else:
            arrays, combined = cluster_with_index(
                job.index, kept, row_keys, store.matrix(), config, job.stats, job.table, job.page_groups
            )
        store.close()
        release_freed_memory()
        return plan.Clusters(arrays, combined)
