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

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from ..dedup.clusters import cluster_corpus
from ..config import Config
from ..io.containers import spooled
from ..dedup.merge import ArticleMerger
from ..engine.workers import LazyChunks, Workers, default_jobs, release_freed_memory, run_collections
from ..dedup.fingerprints import exact_key
from ..dedup.sites import group_name
from ..engine.index import CorpusIndex, Known, contains
from ..text.lang import detect_languages, load_model
from ..audit.ledger import Ledger
from ..dedup.sorted_sets import unique, unique_first
from ..engine.chunk_work import PageBatch, PageInfo, fingerprint_chunk, forget_first_pass, resolved_date_order, segment_chunk
from ..io.read import InputFile
from ..records import Article
from ..audit.report import Report
from ..engine.fingerprint_store import RowStore, on_disk
from ..engine.text_spool import text_folder

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
    started = time.perf_counter()
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
            report.stage_seconds["start"] = time.perf_counter() - started
            articles, read = _articles(
                files, config, report, progress, workers, ledger, index, only_new, text_dir=text_dir
            )
    # the texts are read back as the articles are taken: with the writing (or whatever
    # the caller does with them), this is the run's last stage, and in its total
    mark = time.perf_counter()
    for _, article in articles:
        yield read(article)
    report.stage_seconds["write"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started


def _articles(
    files: list[InputFile],
    config: Config,
    report: Report,
    progress: Progress,
    workers: Workers,
    ledger: Ledger | None,
    index: CorpusIndex | None = None,
    only_new: bool = True,
    *,
    text_dir: str,
) -> tuple[Iterable[tuple[tuple[int, int], Article]], Callable[[Article], Article]]:
    """(first position, article) of the unique articles, in input order, with their
    texts still on disk, and the function that reads an article's text."""
    started = time.perf_counter()
    report.files_found = len(files)
    chunks = LazyChunks(len(files), PAGES_PER_CHUNK, lambda lo, hi: [(i, files[i]) for i in range(lo, hi)])

    # pass 1: fingerprints
    infos: list[PageInfo] = []
    keys, empty = [], []
    store = RowStore(text_dir)  # each distinct text's row and text, once, on disk
    done = 0
    known = index.known() if index is not None else None
    # with an index, this run's new texts are stored: keep them from the first pass
    # rather than reading the pages a third time
    new_texts: dict[int, str] = {}
    fingerprint = partial(fingerprint_chunk, config, keep_texts=known is not None, text_dir=text_dir)
    slash_order = [0, 0]
    for chunk in workers.map(fingerprint, chunks):
        store.add(chunk.row_keys, chunk.rows, chunk.texts_file)
        slash_order[0] += chunk.slash_order[0]
        slash_order[1] += chunk.slash_order[1]
        if chunk.texts:
            fresh = [k for k in chunk.texts if k not in new_texts]
            is_known = contains(known.text_keys, np.array(fresh, dtype=np.uint64))
            new_texts.update((k, chunk.texts[k]) for k, old in zip(fresh, is_known.tolist()) if not old)
        for page in chunk.pages:
            if isinstance(page, PageInfo):
                infos.append(page)
                report.encodings[page.encoding] += 1
                report.input_chars += page.n_chars
            else:
                report.add_skipped(page)
        keys.append(chunk.keys)
        empty.append(chunk.empty)
        done += len(chunk.pages)
        progress("fingerprint", done, len(files))
    report.pages_read = len(infos)
    # ambiguous slashed dates (05/11/2013) are read in the order the run's others prove
    config = resolved_date_order(config, *slash_order)
    workers.in_each(forget_first_pass)  # (a crawl of many distinct words: 250 MB a worker)
    release_freed_memory()
    report.stage_seconds["read + fingerprint"] = time.perf_counter() - started
    if not infos:
        if ledger is not None:
            ledger.page_paths, ledger.locations = [f.path for f in files], [f.location for f in files]
            ledger.read_pages = []
        report.seconds = time.perf_counter() - started
        return [], lambda article: article
    all_keys, all_empty = np.concatenate(keys), np.concatenate(empty)
    new_pages = None
    if known is not None:
        # every page the index has seen is cut into articles again, with this run's: the
        # articles are those of one run over all of them (its pages first, in their order)
        new_pages = NewPages(infos, all_keys, len(known.page_paths), files)
        earlier = earlier_pages(index, known, text_dir)
        files = earlier.files + files
        infos = earlier.infos + [replace(info, index=info.index + new_pages.first) for info in infos]
        all_keys = np.concatenate([earlier.keys, all_keys])
        all_empty = np.concatenate([earlier.empty, all_empty])
    if ledger is not None:
        ledger.page_paths = [f.path for f in files]
        ledger.locations = [f.location for f in files]
        ledger.read_pages = [info.index for info in infos]
    page_paths = [f.path for f in files]

    kept = set_aside_copies(infos, all_keys, all_empty, ledger)
    del all_keys, all_empty
    report.duplicate_pages = kept.n_copies
    infos, aliases, offsets = kept.infos, kept.aliases, kept.offsets
    if new_pages is not None:
        first = new_pages.first
        report.duplicate_pages = sum(1 for copies in aliases.values() for c in copies if c >= first)
        report.pages_in_index = sum(1 for i in new_pages.infos if i.digest in known.digests)
    bounded = config.max_memory is not None and known is None
    if bounded:  # these few numbers a paragraph are half a gigabyte at 1M pages
        kept.keys, kept.empty, kept.pages = (
            on_disk(array, os.path.join(text_dir, f"paragraph-{name}.npy"))
            for name, array in (("keys", kept.keys), ("empty", kept.empty), ("pages", kept.pages))
        )
    para_keys, para_empty, para_pages = kept.keys, kept.empty, kept.pages
    del keys, empty
    row_keys_unique = store.finish()

    def texts_for(wanted_keys: np.ndarray) -> dict[int, str]:
        """The wanted texts (of some row keys), from the store."""
        at = np.searchsorted(row_keys_unique, wanted_keys)
        return {int(k): store.text(int(i)) for k, i in zip(wanted_keys.tolist(), at.tolist())}

    mark = time.perf_counter()
    table = ledger.table if ledger is not None else None
    if known is None:
        arrays = cluster_corpus(
            para_keys,
            para_empty,
            para_pages,
            row_keys_unique,
            store,
            texts_for,
            config,
            report.clusters,
            table,
            page_groups=_numbered([group_name(f, config.group_by) for f in files]),
            row_texts=store.texts,
            # 24 bytes a paragraph, read page by page in the second pass: made on disk
            arrays_dir=text_dir if bounded else None,
        )
        # the per-paragraph keys are not needed again (half a gigabyte at 1M pages)
        kept.keys = kept.empty = kept.pages = None
        del para_keys, para_empty, para_pages
    else:
        # the index's texts come with their fingerprint rows and their clusters, settled
        combined = _with_known(row_keys_unique, store.matrix(), known)
        groups = known.page_groups + [group_name(f, config.group_by) for f in new_pages.files]
        arrays = cluster_corpus(
            para_keys,
            para_empty,
            para_pages,
            *combined.arrays,
            lambda ks: {**index.texts(ks[contains(known.text_keys, ks)]), **new_texts},
            config,
            report.clusters,
            table,
            page_groups=_numbered(groups),
            linked=combined.linked,
            settled_rows=combined.settled_rows,
        )
        index_pending = (combined, arrays, groups)
        # the summary counts this run's paragraphs, not the index's
        ours = slice(int(offsets[np.searchsorted([i.index for i in infos], new_pages.first)]), None)
        report.clusters.paragraphs = len(para_keys[ours])
        report.clusters.repeated_paragraphs = int((arrays.n_pages[ours] >= config.min_repeat_pages).sum())
    store.close()
    sampled = frozenset()
    if table is not None:
        # the most repeated blocks of the corpus, whose texts reports show
        order = np.lexsort((np.arange(len(table.n_pages)), -table.n_pages))[:TOP_REPEATED]
        sampled = frozenset(c for c in order.tolist() if table.n_pages[c] >= config.min_repeat_pages)
    release_freed_memory()
    report.stage_seconds["cluster"] = time.perf_counter() - mark
    mark = time.perf_counter()

    # pass 2: segment, then merge the copies that share paragraphs with other copies
    merger = ArticleMerger(
        page_paths, report.dedupe, aliases, record_copies=ledger is not None, spool_dir=config.spool_dir
    )
    if ledger is not None:
        ledger.merger = merger

    def page_work(lo: int, hi: int) -> PageBatch:
        first, bounds = int(offsets[lo]), (offsets[lo : hi + 1] - offsets[lo]).tolist()
        pages = [(infos[slot].index, files[infos[slot].index]) for slot in range(lo, hi)]
        return PageBatch(
            [(index, item, start, end) for (index, item), start, end in zip(pages, bounds, bounds[1:])],
            arrays.slice(first, int(offsets[hi])),
        )

    work = LazyChunks(len(infos), PAGES_PER_CHUNK, page_work)
    n_work = len(infos)
    done = 0
    segment = partial(segment_chunk, config, record=ledger is not None, sample_clusters=sampled)
    for chunk in workers.map(segment, work):
        if ledger is not None:
            ledger.add_removals(chunk.removals)
            for cluster, text in chunk.samples.items():
                ledger.add_sample(cluster, text)
        report.dropped_paragraphs.update(chunk.dropped_paragraphs)
        report.dropped_chars.update(chunk.dropped_chars)
        report.skipped.extend(chunk.failed)
        for copy in chunk.copies:
            merger.add(copy)
        done += min(PAGES_PER_CHUNK, n_work - done)
        progress("segment", done, n_work)
    workers.close()  # the rest of the run is in this process
    del work, page_work
    arrays = None  # the clusters' arrays (24 bytes a paragraph) are not needed again
    release_freed_memory()
    report.stage_seconds["segment"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # the articles stay columns, their texts in the merger's spool, until each is yielded
    merged = merger.merged_articles(detect_languages if config.detect_language else None)
    report.count_dropped(report.dedupe.dropped)
    if index is not None:
        report.stage_seconds["merge"] = time.perf_counter() - mark
        mark = time.perf_counter()
        articles = _record_run(
            index, known, *index_pending, merged, new_pages, page_paths, para_keys, para_empty, new_texts,
            only_new, report,
        )  # fmt: skip
        report.undated_articles = sum(1 for _, a in articles if a.date is None)
    else:
        articles = merged
        report.undated_articles = merged.n_undated
    articles = with_provenance(articles, files)
    report.stage_seconds["index" if index is not None else "merge"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return articles, merger.read


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
    `empty` hold one entry per paragraph of `infos`' pages. Shared by both engines."""
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
    text (its first), for `passes.fetch_texts_chunk`. Shared by both engines."""
    distinct, first_paragraph = unique_first(kept.keys)
    where = first_paragraph[np.searchsorted(distinct, wanted_keys)]
    page_of = np.searchsorted(kept.offsets, where, side="right") - 1
    by_page: dict[int, list[int]] = {}
    for paragraph, page_slot in zip(where.tolist(), page_of.tolist()):
        by_page.setdefault(page_slot, []).append(paragraph - int(kept.offsets[page_slot]))
    infos = kept.infos
    return [(infos[s].index, files[infos[s].index], positions) for s, positions in sorted(by_page.items())]


def _numbered(names: list[str]) -> np.ndarray:
    """Group names as numbers, in order of first appearance."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(n, len(numbers)) for n in names], dtype=np.int64)


@dataclass
class _Combined:
    """The fingerprint rows of the index's texts and this run's, as `cluster_corpus` takes them."""

    arrays: tuple  #: row keys, rows
    linked: np.ndarray  #: key pairs already known to share a cluster
    settled_rows: np.ndarray  #: rows of texts the index already clustered


def _with_known(row_keys: np.ndarray, rows: np.ndarray, known: Known) -> _Combined:
    merged_keys = np.concatenate([known.row_keys, row_keys])
    merged_rows = np.concatenate([known.rows, rows]) if len(known.rows) else rows
    unique_keys, first = unique_first(merged_keys)  # a known text keeps its stored row
    settled = contains(known.text_keys, unique_keys)
    # texts of one stored cluster, linked in a chain (sorted by label, then key)
    order = np.lexsort((known.text_keys, known.labels))
    same = known.labels[order][1:] == known.labels[order][:-1]
    linked = np.stack([known.text_keys[order][:-1][same], known.text_keys[order][1:][same]], axis=1)
    return _Combined((unique_keys, merged_rows[first]), linked, settled)


#: The key of a paragraph whose normalised text is empty (it matches nothing).
_EMPTY_KEY = exact_key("")


@dataclass
class NewPages:
    """This run's pages, beside the index's: they are numbered after its pages."""

    infos: list[PageInfo]  #: the pages read, numbered as in `files`
    keys: np.ndarray  #: each of their paragraphs' key, in order
    first: int  #: the number of the first of them among every page (the index's first)
    files: list[InputFile]


@dataclass
class EarlierPages:
    """The pages an index has seen, as pages of this run: their bytes written back to
    files, their paragraphs' keys from the index."""

    files: list[InputFile]
    infos: list[PageInfo]
    keys: np.ndarray
    empty: np.ndarray


def earlier_pages(index: CorpusIndex, known: Known, folder: str) -> EarlierPages:
    """The index's pages, numbered from 0 in the order they were first seen, each written
    to `folder` (an exact copy of an earlier one is not: it is that page's copy)."""
    where = os.path.join(folder, "index-pages")
    os.mkdir(where)
    locations: dict[int, Path] = {}
    for slot, content in index.page_contents():
        location = locations[slot] = Path(where, f"{slot}.page")
        location.write_bytes(content)
    files, infos = [], []
    for slot, (path, keys, digest) in enumerate(zip(known.page_paths, known.paragraph_keys, known.page_digests)):
        files.append(InputFile(path, locations.get(slot, Path(where, "copy"))))
        infos.append(PageInfo(slot, path, len(keys), "", 0, digest))
    keys = np.concatenate(known.paragraph_keys) if known.paragraph_keys else np.empty(0, dtype=np.uint64)
    return EarlierPages(files, infos, keys, keys == _EMPTY_KEY)


def _record_run(
    index: CorpusIndex,
    known: Known,
    combined: _Combined,
    arrays,
    groups: list[str],
    merged: Iterable[tuple[tuple[int, int], Article]],
    new_pages: NewPages,
    paths: list[str],
    all_keys: np.ndarray,
    all_empty: np.ndarray,
    texts: dict[int, str],
    only_new: bool,
    report: Report,
) -> list[tuple[tuple[int, int], Article]]:
    """Stage the run in the index; return the articles to write (the new ones, if `only_new`)."""
    # a page read again under its name is the page the index has: one source
    merged = [
        (position, a if len(set(a.sources)) == len(a.sources) else replace(a, sources=tuple(dict.fromkeys(a.sources))))
        for position, a in merged
    ]
    distinct = unique(all_keys[~all_empty])
    # every text's cluster label: the smallest key of its cluster
    label_of = np.empty(len(distinct), dtype=np.uint64)
    real = arrays.cluster < len(distinct)
    label_of[np.searchsorted(distinct, all_keys[real])] = distinct[arrays.cluster[real]]
    is_known = contains(known.text_keys, distinct)
    stored = dict(zip(known.text_keys.tolist(), known.labels.tolist()))
    relabelled = {k: v for k, v in zip(distinct[is_known].tolist(), label_of[is_known].tolist()) if stored.get(k) != v}
    new_keys = distinct[~is_known]
    row_keys, rows = combined.arrays
    row_at = {k: i for i, k in enumerate(row_keys.tolist())}
    to_store = {
        k: (label, rows[row_at[k]].tobytes() if k in row_at else None, texts[k])
        for k, label in zip(new_keys.tolist(), label_of[~is_known].tolist())
    }
    # every page read, the exact copies of a page before it too (a source of its articles)
    pages = []
    digests = set(known.digests)
    at = 0
    for info in new_pages.infos:
        keys = new_pages.keys[at : at + info.n_paragraphs]
        at += info.n_paragraphs
        copy = info.digest in digests
        digests.add(info.digest)
        content = None if copy else new_pages.files[info.index].location.read_bytes()
        pages.append((info.path, groups[new_pages.first + info.index], info.digest, keys, content))
    # text repeated here without a title or a date may be an article an earlier run
    # emitted (a teaser whose dated copy was on a page since pruned): it adds sources to it
    boilerplate = report.dedupe.boilerplate
    ids = [a.id for _, a in merged]
    earlier = index.known_articles(ids + [aid for aid, _ in boilerplate])
    seen_again = [(aid, "", [paths[p] for p in on], False) for aid, on in boilerplate if aid in earlier]
    index.record(
        pages,
        to_store,
        relabelled,
        [(a.id, a.source, a.sources, a.id not in earlier) for _, a in merged] + seen_again,
    )
    earlier = earlier.intersection(ids)
    report.known_articles = len(earlier)
    if only_new:
        report.left_out_articles = len(earlier)
        return [(position, a) for position, a in merged if a.id not in earlier]
    return merged


def with_provenance(articles: Iterable[tuple[tuple[int, int], Article]], files: list[InputFile]):
    """The articles with the url, the date, the id and the fields kept that the input gave
    for each one's source (JSONL fields, a WARC record's target URI), when it gave any: made one by one, as they are
    taken (iterate once)."""
    given = {
        f.path: (f.url, f.date, f.input_id, f.fields) for f in files if f.url or f.date or f.input_id or f.fields
    }
    if not given:
        return articles

    def provenance(position: tuple[int, int], article: Article) -> tuple[tuple[int, int], Article]:
        url, date, input_id, fields = given.get(article.source, (None, None, None, None))
        return position, replace(article, url=url, input_date=date, input_id=input_id, input_fields=fields)

    return itertools.starmap(provenance, articles)  # as the articles are written
