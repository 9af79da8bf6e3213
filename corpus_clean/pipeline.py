"""The whole pipeline, as one function: paths in, unique articles out.

    read -> normalise -> paragraphs -> fingerprints -> clusters -> segment -> dedupe -> (write)

Repeated paragraphs can only be told once every page has been seen, so the corpus
is read in two passes (see `passes`): the first keeps a few numbers per paragraph
(its text's key and, once per distinct text, its LSH band keys); clustering runs
on those arrays; the second pass cuts each page into article copies. Copies that
go to the merger, which keeps each distinct text once.
Both passes run on `Config.jobs` processes, and their results are consumed in input
order, so the output is the same whatever the number of processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial

import numpy as np

from .clusters import cluster_corpus
from .config import Config
from .dedupe import ArticleMerger
from .executor import Workers, chunked, default_jobs
from .groups import group_ids
from .lang import detect_language
from .ledger import Ledger
from .passes import PageInfo, fetch_texts_chunk, fingerprint_chunk, segment_chunk
from .read import discover
from .records import Article
from .report import Report

#: Pages per unit of work sent to a process: big enough to amortise the transfer,
#: small enough to balance the load and to report progress.
PAGES_PER_CHUNK = 64

#: How many of the most repeated blocks a recorded run samples the text of (for reports).
TOP_REPEATED = 20

#: progress(stage, done, total): called as work advances (stage: "fingerprint", "segment")
Progress = Callable[[str, int, int], None]


def clean(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    config: Config | None = None,
    report: Report | None = None,
    progress: Progress | None = None,
    ledger: Ledger | None = None,
) -> Iterator[Article]:
    """Yield the unique articles of the pages under `paths`, in order of first appearance.

    `paths` are folders (read recursively, files matching `config.glob`) or files.
    Pass a `Report` to receive the counts of the run (files skipped and why,
    paragraphs dropped and why, clusters, timings), `progress` to follow it, and a
    `Ledger` to record what became of every line (replay it with `ledger.blocks()`
    once the articles are consumed).
    Raises `read.InputError` when a path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    config = config or Config()
    report = report if report is not None else Report()
    progress = progress or (lambda stage, done, total: None)
    with Workers(config.jobs or default_jobs()) as workers:
        articles = _articles(list(paths), config, report, progress, workers, ledger)
    for _, article in articles:
        yield article


def _articles(
    paths: list, config: Config, report: Report, progress: Progress, workers: Workers, ledger: Ledger | None
) -> list[tuple[tuple[int, int], Article]]:
    started = time.perf_counter()
    files = discover(paths, config)
    report.files_found = len(files)
    numbered = list(enumerate(files))
    chunks = chunked(numbered, PAGES_PER_CHUNK)

    # pass 1: fingerprints
    infos: list[PageInfo] = []
    keys, empty, row_keys, rows = [], [], [], []
    done = 0
    for chunk in workers.map(partial(fingerprint_chunk, config), chunks):
        for page in chunk.pages:
            if isinstance(page, PageInfo):
                infos.append(page)
                report.encodings[page.encoding] += 1
                report.input_chars += page.n_chars
            else:
                report.skipped.append(page)
        keys.append(chunk.keys)
        empty.append(chunk.empty)
        row_keys.append(chunk.row_keys)
        rows.append(chunk.rows)
        done += len(chunk.pages)
        progress("fingerprint", done, len(files))
    report.pages_read = len(infos)
    if ledger is not None:
        ledger.page_paths = [f.path for f in files]
        ledger.locations = [f.location for f in files]
        ledger.read_pages = [info.index for info in infos]
    report.stage_seconds["read + fingerprint"] = time.perf_counter() - started
    page_paths = [files[i].path for i in range(len(files))]
    if not infos:
        report.seconds = time.perf_counter() - started
        return []

    para_keys = np.concatenate(keys)
    para_empty = np.concatenate(empty)
    # an exact copy of a page (a URL fetched twice) is the same page: it adds a source
    # to that page's articles, not repetitions that would turn them into chrome
    first_copy: dict[int, int] = {}
    aliases: dict[int, list[int]] = {}
    kept = []
    for info in infos:
        original = first_copy.setdefault(info.digest, info.index)
        if original != info.index:
            aliases.setdefault(original, []).append(info.index)
            if ledger is not None:
                ledger.add_copied_page(info.index, info.n_chars, original)
        kept.append(original == info.index)
    report.duplicate_pages = kept.count(False)
    all_counts = np.array([p.n_paragraphs for p in infos], dtype=np.int64)
    keep_paragraph = np.repeat(np.array(kept, dtype=bool), all_counts)
    para_keys, para_empty = para_keys[keep_paragraph], para_empty[keep_paragraph]
    infos = [info for info, keep in zip(infos, kept) if keep]
    counts = np.array([p.n_paragraphs for p in infos], dtype=np.int64)
    para_pages = np.repeat(np.array([p.index for p in infos], dtype=np.int64), counts)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    all_row_keys = np.concatenate(row_keys)
    all_rows = np.concatenate(rows)
    row_keys_unique, first_row = np.unique(all_row_keys, return_index=True)
    del keys, empty, row_keys, rows, all_row_keys

    def texts_for(wanted_keys: np.ndarray) -> dict[int, str]:
        """Re-read the pages holding one occurrence of each wanted text."""
        distinct, first_paragraph = np.unique(para_keys, return_index=True)
        where = first_paragraph[np.searchsorted(distinct, wanted_keys)]
        page_of = np.searchsorted(offsets, where, side="right") - 1
        by_page: dict[int, list[int]] = {}
        for paragraph, page_slot in zip(where.tolist(), page_of.tolist()):
            by_page.setdefault(page_slot, []).append(paragraph - int(offsets[page_slot]))
        wanted = [(infos[s].index, files[infos[s].index], positions) for s, positions in sorted(by_page.items())]
        texts: dict[int, str] = {}
        for part in workers.map(partial(fetch_texts_chunk, config), chunked(wanted, PAGES_PER_CHUNK)):
            texts.update(part)
        return texts

    mark = time.perf_counter()
    table = ledger.table if ledger is not None else None
    arrays = cluster_corpus(
        para_keys,
        para_empty,
        para_pages,
        row_keys_unique,
        all_rows[first_row],
        texts_for,
        config,
        report.clusters,
        table,
        page_groups=group_ids(files, config.group_by),
    )
    del all_rows
    sampled = frozenset()
    if table is not None:
        # the most repeated blocks of the corpus, whose texts reports show
        order = np.lexsort((np.arange(len(table.n_pages)), -table.n_pages))[:TOP_REPEATED]
        sampled = frozenset(c for c in order.tolist() if table.n_pages[c] >= config.min_repeat_pages)
    report.stage_seconds["cluster"] = time.perf_counter() - mark
    mark = time.perf_counter()

    # pass 2: segment, then merge the copies that share paragraphs with other copies
    merger = ArticleMerger(page_paths, report.dedupe, aliases, record_copies=ledger is not None)
    if ledger is not None:
        ledger.merger = merger
    work = [
        (info.index, files[info.index], arrays.slice(int(offsets[slot]), int(offsets[slot + 1])))
        for slot, info in enumerate(infos)
    ]
    done = 0
    segment = partial(segment_chunk, config, record=ledger is not None, sample_clusters=sampled)
    for chunk in workers.map(segment, chunked(work, PAGES_PER_CHUNK)):
        if ledger is not None:
            ledger.add_removals(chunk.removals)
            for cluster, text in chunk.samples.items():
                ledger.add_sample(cluster, text)
        report.dropped_paragraphs.update(chunk.dropped_paragraphs)
        report.dropped_chars.update(chunk.dropped_chars)
        report.skipped.extend(chunk.failed)
        for copy in chunk.copies:
            merger.add(copy)
        done += min(PAGES_PER_CHUNK, len(work) - done)
        progress("segment", done, len(work))
    report.stage_seconds["segment"] = time.perf_counter() - mark
    mark = time.perf_counter()
    merged = merger.positioned_articles(detect_language if config.detect_language else None)
    report.count_dropped(report.dedupe.dropped)
    articles = merged
    report.undated_articles = sum(1 for _, a in articles if a.date is None)
    report.stage_seconds["merge"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return articles
