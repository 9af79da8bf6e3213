"""The run as named steps, the same whatever the engine: the pages read, unique articles out.

    first pass     read, split, key every page; fingerprint its texts  (chunk_work.fingerprint_chunk)
    copies         exact copies of pages set aside, as sources          (set_aside_copies)
    earlier pages  with an index: the pages it has seen join this run's (incremental)
    cluster        repeated paragraphs: candidates, verified, joined    (the engine's `cluster`)
    second pass    each page cut into article copies                    (chunk_work.segment_chunk)
    merge          each distinct article once, with every source        (dedup.merge.ArticleMerger)
    record         with an index: the run staged in it                  (incremental.record_run)

Repeated paragraphs can only be told once every page has been seen, so the pages are
read twice: the first pass keeps a few numbers per paragraph, clustering runs on them,
and the second pass cuts each page using what the clusters say.

An engine (`Engine`) decides where the work runs: `engine.local` maps a chunk function
over worker processes and clusters in its own process; `engine.dask` maps it as Dask
tasks and clusters with shuffles. What a chunk holds, the order results are consumed in
(the chunks', whatever order they finished in), and everything the merger is given are
decided here, so both give the same articles.

Each step counts into its own stats (`RunStats`); `Report.gather` takes them in once the
articles are made. Only the seconds of each stage are written as each ends (`StageClock`),
so that a verbose run can tell them as they come.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol

import numpy as np

from ..audit.ledger import Ledger
from ..config import Config
from ..dedup.clusters import ClusterArrays, ClusterStats, ClusterTable
from ..dedup.merge import ArticleMerger, DedupeStats
from ..dedup.sites import group_name
from ..dedup.sorted_sets import unique_first
from ..engine.chunk_work import (
    FingerprintChunk,
    PageBatch,
    PageInfo,
    SegmentedChunk,
    fingerprint_chunk,
    resolved_date_order,
    segment_chunk,
)
from ..engine.incremental import Combined, IndexRun, Pages, record_run, with_earlier_pages
from ..engine.index import CorpusIndex, contains
from ..engine.workers import LazyChunks
from ..io.read import InputFile
from ..records import PASSED_OVER, Article, SkippedFile
from ..text.lang import detect_languages

#: How many of the most repeated blocks a recorded run samples the text of (for reports).
TOP_REPEATED = 20

#: progress(stage, done, total): called as work advances (stage: "fingerprint", "segment")
Progress = Callable[[str, int, int], None]

Positioned = tuple[tuple[int, int], Article]  #: (first position, article)


# --- each stage's counters --------------------------------------------------------------


@dataclass
class ReadStats:
    """The first pass: what was found, read, skipped."""

    files_found: int = 0
    pages_read: int = 0
    encodings: Counter = field(default_factory=Counter)
    input_chars: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    #: records of containers that are not pages by nature (see `records.PASSED_OVER`)
    passed_over: list[SkippedFile] = field(default_factory=list)

    def count(self, page: PageInfo | SkippedFile) -> None:
        if isinstance(page, PageInfo):
            self.pages_read += 1
            self.encodings[page.encoding] += 1
            self.input_chars += page.n_chars
        else:
            (self.passed_over if page.reason in PASSED_OVER else self.skipped).append(page)


@dataclass
class CopyStats:
    """The copies set aside."""

    duplicate_pages: int = 0  #: exact copies of another page (sources, not repetitions)
    pages_in_index: int = 0  #: of those, copies of a page an index has seen


@dataclass
class SegmentStats:
    """The second pass: paragraphs dropped (by reason), and files that changed meanwhile."""

    dropped_paragraphs: Counter = field(default_factory=Counter)
    dropped_chars: Counter = field(default_factory=Counter)
    changed: list[SkippedFile] = field(default_factory=list)

    def count(self, chunk: SegmentedChunk) -> None:
        self.dropped_paragraphs.update(chunk.dropped_paragraphs)
        self.dropped_chars.update(chunk.dropped_chars)
        self.changed.extend(chunk.failed)


@dataclass
class ArticleStats:
    """The articles made (by the merge, and with an index by its record step)."""

    undated_articles: int = 0
    known_articles: int = 0  #: articles an index had already emitted
    left_out_articles: int = 0  #: of those, not written again (only new ones asked)


@dataclass
class RunStats:
    """Every stage's counters, for `Report.gather`."""

    read: ReadStats = field(default_factory=ReadStats)
    copies: CopyStats = field(default_factory=CopyStats)
    clusters: ClusterStats = field(default_factory=ClusterStats)
    segment: SegmentStats = field(default_factory=SegmentStats)
    dedupe: DedupeStats = field(default_factory=DedupeStats)
    articles: ArticleStats = field(default_factory=ArticleStats)


class StageClock:
    """Seconds per stage, each stage from the end of the one before: written to `seconds`
    (the report's `stage_seconds`) as each ends."""

    def __init__(self, seconds: dict[str, float], started: float | None = None) -> None:
        self.seconds = seconds
        self.started = self.mark = time.perf_counter() if started is None else started

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = now - self.mark
        self.mark = now

    def total(self) -> float:
        return time.perf_counter() - self.started


# --- what an engine is --------------------------------------------------------------------


@dataclass
class ClusterJob:
    """What the cluster step is given."""

    kept: KeptPages
    files: list[InputFile]
    config: Config
    stats: ClusterStats
    page_groups: np.ndarray  #: per page, its group as a number
    table: ClusterTable | None  #: the ledger's, to fill, when the run is recorded
    index: IndexRun | None  #: with an index: its texts, rows and clusters


@dataclass
class Clusters:
    arrays: ClusterArrays  #: per paragraph of the kept pages
    combined: Combined | None = None  #: with an index: the fingerprint rows clustered


class Engine(Protocol):
    """Where work runs. Results of `first_pass` and `map` come in the order of the chunks."""

    #: a scratch folder where chunks write their texts, or None
    text_dir: str | None

    def chunks(self, n: int, make: Callable[[int, int], object]) -> LazyChunks:
        """n items cut into chunks; `make(lo, hi)` builds the chunk of items lo..hi-1."""

    def first_pass(self, func: Callable, chunks: Sequence) -> Iterator[FingerprintChunk]:
        """func over the chunks; keeps what `cluster` will need of each result."""

    def forget_first_pass(self) -> None:
        """Let go of what the first pass left in the processes that did its work."""

    def cluster(self, job: ClusterJob) -> Clusters: ...

    def map(self, func: Callable, chunks: Sequence) -> Iterator: ...

    def close(self) -> None:
        """The second pass is over: the rest of the run is in this process."""


# --- the run ----------------------------------------------------------------------------


@dataclass
class Run:
    stats: RunStats
    articles: Iterable[Positioned]  #: the unique articles in input order, their texts still on disk
    read: Callable[[Article], Article]  #: an article with its text


def run(
    engine: Engine,
    files: list[InputFile],
    config: Config,
    clock: StageClock,
    progress: Progress,
    ledger: Ledger | None = None,
    index: CorpusIndex | None = None,
    only_new: bool = True,
) -> Run:
    """Every step of the run over `files`, on `engine`."""
    stats = RunStats(read=ReadStats(files_found=len(files)))
    known = index.known() if index is not None else None
    known_keys = known.text_keys if known is not None else None
    pages, new_texts, slash_order = first_pass(engine, files, config, stats.read, progress, known_keys)
    # ambiguous slashed dates (05/11/2013) are read in the order the run's others prove
    config = resolved_date_order(config, *slash_order)
    engine.forget_first_pass()
    clock.lap("read + fingerprint")
    if not pages.infos:
        _show_ledger(ledger, files, [])
        return Run(stats, [], _as_is)
    at_index = None
    if known is not None:
        pages, at_index = with_earlier_pages(index, known, pages, new_texts, engine.text_dir, config)
    _show_ledger(ledger, pages.files, pages.infos)
    kept = set_aside_copies(pages.infos, pages.keys, pages.empty, ledger)
    stats.copies = _copy_stats(kept, at_index)
    pages.keys = pages.empty = None
    groups = at_index.group_names if at_index else [group_name(f, config.group_by) for f in pages.files]
    table = ledger.table if ledger is not None else None
    job = ClusterJob(kept, pages.files, config, stats.clusters, _numbered(groups), table, at_index)
    clusters = engine.cluster(job)
    if at_index is not None:
        _count_own_paragraphs(stats.clusters, kept, clusters.arrays, at_index.first, config)
    else:  # the per-paragraph keys are not needed again (half a gigabyte at 1M pages)
        kept.keys = kept.empty = kept.pages = None
    sampled = _most_repeated(table, config)
    clock.lap("cluster")
    page_paths = [f.path for f in pages.files]
    merger = ArticleMerger(
        page_paths, stats.dedupe, kept.aliases, record_copies=ledger is not None, spool_dir=config.spool_dir
    )
    if ledger is not None:
        ledger.merger = merger
    second_pass(engine, pages.files, kept, clusters.arrays, config, ledger, sampled, stats.segment, merger, progress)
    engine.close()
    clock.lap("segment")
    # the articles stay columns, their texts in the merger's spool, until each is taken
    merged = merger.merged_articles(detect_languages if config.detect_language else None)
    if at_index is None:
        articles = merged
        stats.articles.undated_articles = merged.n_undated
    else:
        clock.lap("merge")
        articles = _record(at_index, clusters, merged, page_paths, kept, stats, only_new)
    articles = with_provenance(articles, pages.files)
    clock.lap("index" if at_index is not None else "merge")
    return Run(stats, articles, merger.read)


def first_pass(
    engine: Engine,
    files: list[InputFile],
    config: Config,
    stats: ReadStats,
    progress: Progress,
    known_keys: np.ndarray | None = None,
) -> tuple[Pages, dict[int, str], tuple[int, int]]:
    """(the pages read, with their paragraphs' keys; the normalised texts whose keys are
    not `known_keys`, when given; the run's evidence of its slashed dates' order).

    With an index, this run's new texts are stored: they are kept from this pass rather
    than read from the pages a third time."""
    chunks = engine.chunks(len(files), lambda lo, hi: [(i, files[i]) for i in range(lo, hi)])
    keep_texts = known_keys is not None
    fingerprint = partial(fingerprint_chunk, config, keep_texts=keep_texts, text_dir=engine.text_dir)
    infos: list[PageInfo] = []
    keys, empty = [], []
    texts: dict[int, str] = {}
    slash_order = [0, 0]
    done = 0
    for chunk in engine.first_pass(fingerprint, chunks):
        slash_order[0] += chunk.slash_order[0]
        slash_order[1] += chunk.slash_order[1]
        if chunk.texts:
            fresh = [k for k in chunk.texts if k not in texts]
            is_known = contains(known_keys, np.array(fresh, dtype=np.uint64))
            texts.update((k, chunk.texts[k]) for k, old in zip(fresh, is_known.tolist()) if not old)
        for page in chunk.pages:
            stats.count(page)
            if isinstance(page, PageInfo):
                infos.append(page)
        keys.append(chunk.keys)
        empty.append(chunk.empty)
        done += len(chunk.pages)
        progress("fingerprint", done, len(files))
    if not infos:
        return Pages(files, [], np.empty(0, np.uint64), np.empty(0, bool)), {}, tuple(slash_order)
    return Pages(files, infos, np.concatenate(keys), np.concatenate(empty)), texts, tuple(slash_order)


def second_pass(
    engine: Engine,
    files: list[InputFile],
    kept: KeptPages,
    arrays: ClusterArrays,
    config: Config,
    ledger: Ledger | None,
    sampled: frozenset[int],
    stats: SegmentStats,
    merger: ArticleMerger,
    progress: Progress,
) -> None:
    """Cut the kept pages into article copies, given to `merger` in input order."""
    infos, offsets = kept.infos, kept.offsets

    def page_work(lo: int, hi: int) -> PageBatch:
        first, bounds = int(offsets[lo]), (offsets[lo : hi + 1] - offsets[lo]).tolist()
        pages = [(infos[slot].index, files[infos[slot].index]) for slot in range(lo, hi)]
        return PageBatch(
            [(index, item, start, end) for (index, item), start, end in zip(pages, bounds, bounds[1:])],
            arrays.slice(first, int(offsets[hi])),
        )

    work = engine.chunks(len(infos), page_work)
    segment = partial(segment_chunk, config, record=ledger is not None, sample_clusters=sampled)
    done = 0
    for chunk in engine.map(segment, work):
        if ledger is not None:
            ledger.add_removals(chunk.removals)
            for cluster, text in chunk.samples.items():
                ledger.add_sample(cluster, text)
        stats.count(chunk)
        for copy in chunk.copies:
            merger.add(copy)
        done = min(len(infos), done + work.size)
        progress("segment", done, len(infos))


def _as_is(article: Article) -> Article:
    return article


def _show_ledger(ledger: Ledger | None, files: list[InputFile], infos: list[PageInfo]) -> None:
    """Tell the ledger every input, and which of them were read as pages."""
    if ledger is not None:
        ledger.page_paths = [f.path for f in files]
        ledger.locations = [f.location for f in files]
        ledger.read_pages = [info.index for info in infos]


def _numbered(names: list[str]) -> np.ndarray:
    """Group names as numbers, in order of first appearance."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(n, len(numbers)) for n in names], dtype=np.int64)


def _copy_stats(kept: KeptPages, at_index: IndexRun | None) -> CopyStats:
    if at_index is None:
        return CopyStats(kept.n_copies)
    # this run's pages only: copies among the index's own pages were counted when it read them
    first, digests = at_index.first, at_index.known.digests
    return CopyStats(
        duplicate_pages=sum(1 for copies in kept.aliases.values() for c in copies if c >= first),
        pages_in_index=sum(1 for i in at_index.new.infos if i.digest in digests),
    )


def _count_own_paragraphs(
    stats: ClusterStats, kept: KeptPages, arrays: ClusterArrays, first: int, config: Config
) -> None:
    """The summary counts this run's paragraphs, not the index's."""
    ours = slice(int(kept.offsets[np.searchsorted([i.index for i in kept.infos], first)]), None)
    stats.paragraphs = len(kept.keys[ours])
    stats.repeated_paragraphs = int((arrays.n_pages[ours] >= config.min_repeat_pages).sum())


def _most_repeated(table: ClusterTable | None, config: Config) -> frozenset[int]:
    """The most repeated blocks of the corpus, whose texts reports show (none unrecorded)."""
    if table is None:
        return frozenset()
    order = np.lexsort((np.arange(len(table.n_pages)), -table.n_pages))[:TOP_REPEATED]
    return frozenset(c for c in order.tolist() if table.n_pages[c] >= config.min_repeat_pages)


def _record(
    at_index: IndexRun,
    clusters: Clusters,
    merged: Iterable[Positioned],
    page_paths: list[str],
    kept: KeptPages,
    stats: RunStats,
    only_new: bool,
) -> list[Positioned]:
    """The index step: the run staged in the index; the articles to write (the new ones,
    with `only_new`)."""
    articles, earlier = record_run(
        at_index, clusters.combined, clusters.arrays, merged, page_paths, kept.keys, kept.empty, stats.dedupe
    )
    stats.articles.known_articles = len(earlier)
    if only_new:
        stats.articles.left_out_articles = len(earlier)
        articles = [(position, a) for position, a in articles if a.id not in earlier]
    stats.articles.undated_articles = sum(1 for _, a in articles if a.date is None)
    return articles


# --- shared by the steps of both engines ------------------------------------------------


@dataclass
class KeptPages:
    """The pages read, less the exact copies of other pages (see `set_aside_copies`)."""

    infos: list[PageInfo]  #: the pages kept, in input order
    keys: np.ndarray  #: per paragraph of the pages kept: its text's key
    empty: np.ndarray  #: ... whether its normalised text is empty
    pages: np.ndarray  #: ... its page's index
    offsets: np.ndarray  #: where each kept page's paragraphs start (and, last, their number)
    aliases: dict[int, list[int]]  #: page -> its exact copies, sources of whatever it holds
    n_copies: int


def set_aside_copies(
    infos: list[PageInfo], keys: np.ndarray, empty: np.ndarray, ledger: Ledger | None = None
) -> KeptPages:
    """An exact copy of a page (a URL fetched twice) is the same page: it adds a source to
    that page's articles, not repetitions that would turn them into chrome. `keys` and
    `empty` hold one entry per paragraph of `infos`' pages."""
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
    all_counts = np.array([p.n_paragraphs for p in infos], dtype=np.int64)
    if all(kept):  # no copy: the arrays as they are (no copies of them either)
        counts = all_counts
        pages = np.repeat(np.array([p.index for p in infos], dtype=np.int64), counts)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        return KeptPages(infos, keys, empty, pages, offsets, aliases, 0)
    keep_paragraph = np.repeat(np.array(kept, dtype=bool), all_counts)
    infos = [info for info, keep in zip(infos, kept) if keep]
    counts = np.array([p.n_paragraphs for p in infos], dtype=np.int64)
    pages = np.repeat(np.array([p.index for p in infos], dtype=np.int64), counts)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return KeptPages(infos, keys[keep_paragraph], empty[keep_paragraph], pages, offsets, aliases, kept.count(False))


def fetch_plan(wanted_keys: np.ndarray, kept: KeptPages, files: list[InputFile]) -> list[tuple[int, InputFile, list]]:
    """(page index, file, paragraph positions) to re-read for one occurrence of each wanted
    text (its first), for `chunk_work.fetch_texts_chunk`."""
    distinct, first_paragraph = unique_first(kept.keys)
    where = first_paragraph[np.searchsorted(distinct, wanted_keys)]
    page_of = np.searchsorted(kept.offsets, where, side="right") - 1
    by_page: dict[int, list[int]] = {}
    for paragraph, page_slot in zip(where.tolist(), page_of.tolist()):
        by_page.setdefault(page_slot, []).append(paragraph - int(kept.offsets[page_slot]))
    infos = kept.infos
    return [(infos[s].index, files[infos[s].index], positions) for s, positions in sorted(by_page.items())]


def with_provenance(articles: Iterable[Positioned], files: list[InputFile]) -> Iterable[Positioned]:
    """The articles with the url, the date, the id and the fields kept that the input gave
    for each one's source (JSONL fields, a WARC record's target URI), when it gave any:
    made one by one, as they are taken (iterate once)."""
    given = {f.path: (f.url, f.date, f.input_id, f.fields) for f in files if f.url or f.date or f.input_id or f.fields}
    if not given:
        return articles

    def provenance(position: tuple[int, int], article: Article) -> Positioned:
        url, date, input_id, fields = given.get(article.source, (None, None, None, None))
        return position, replace(article, url=url, input_date=date, input_id=input_id, input_fields=fields)

    return itertools.starmap(provenance, articles)  # as the articles are written
