"""The work done on each chunk of pages, in worker processes.

The corpus is read twice, so that nothing per paragraph has to be kept in memory
between the passes except a few numbers:

1. `fingerprint_chunk`: read and split each page, key every paragraph's normalised
   text, and compute the MinHash band keys of each text long enough (once per
   distinct text in the chunk).
2. (between the passes, in the engine's main process: clustering, with `fetch_texts_chunk`
   re-reading the few paragraphs whose texts verification needs.)
3. `segment_chunk`: read and split each page again, cut it into article copies
   using what the clusters say about its paragraphs, and detect their language.

Every function here takes a `Config` and one chunk, and returns plain data that
pickles small.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import xxhash

from ..config import Config
from ..dedup.clusters import ClusterArrays
from ..dedup.fingerprints import exact_key, fingerprint_rows
from ..dedup.merge import article_id
from ..dedup.sorted_sets import unique_first
from ..engine.text_spool import write_texts
from ..engine.workers import release_freed_memory
from ..io import html
from ..io.read import InputFile, read_file
from ..records import ArticleCopy, Dropped, Page, SkippedFile, pickled_by_fields
from ..text.dates import slash_order_evidence
from ..text.lang import detect_languages
from ..text.normalise import normalise_for_dedup
from ..text.paragraphs import paragraph_texts, paragraphs_of
from ..text.segment import segment_page


@pickled_by_fields
@dataclass(slots=True)
class PageInfo:
    index: int
    path: str
    n_paragraphs: int
    encoding: str
    n_chars: int
    digest: int  #: hash of the decoded text: equal for exact copies


@dataclass(slots=True)
class FingerprintChunk:
    pages: list[PageInfo | SkippedFile]
    keys: np.ndarray  # uint64, one per paragraph of the chunk's pages, in order
    empty: np.ndarray  # bool: the paragraph's normalised text is empty
    row_keys: np.ndarray  # uint64: keys of the texts that have a fingerprint row
    rows: np.ndarray  # one row per row key (band keys, or signatures for datasketch)
    texts: dict[int, str] = field(default_factory=dict)  # with keep_texts: key -> normalised text
    texts_file: str | None = None  # with text_dir: where the texts of the row keys were written
    #: slashed dates readable one way only: (month first, day first), see `dates.slash_order_evidence`
    slash_order: tuple[int, int] = (0, 0)


def fingerprint_chunk(
    config: Config, files: Sequence[tuple[int, InputFile]], keep_texts: bool = False, text_dir: str | None = None
) -> FingerprintChunk:
    """Read, split and key the pages; fingerprint each distinct text once. With
    `keep_texts`, also return the normalised texts (an index stores them); with
    `text_dir`, write the texts that have a row to a file there (see `text_spool`)."""
    pages: list[PageInfo | SkippedFile] = []
    keys: list[int] = []
    empty: list[bool] = []
    new_keys: list[int] = []
    new_texts: list[str] = []
    known: dict[str, tuple[int, bool]] = {}  # displayed text -> (key, empty): menus repeat
    month_first = day_first = 0
    for index, item in files:
        page = read_file(item, index, config)
        if isinstance(page, SkippedFile):
            pages.append(page)
            continue
        texts = paragraph_texts(page.text)
        digest = xxhash.xxh64_intdigest(page.text.encode("utf-8", "surrogatepass"))
        pages.append(PageInfo(index, page.path, len(texts), page.encoding, len(page.text), digest))
        for shown in texts:
            if "/" in shown:
                mdy, dmy = slash_order_evidence(shown)
                month_first += mdy
                day_first += dmy
            entry = known.get(shown)
            if entry is None:
                text = normalise_for_dedup(shown)
                entry = known[shown] = (exact_key(text), not text)
                if text:
                    new_keys.append(entry[0])
                    new_texts.append(text)
            keys.append(entry[0])
            empty.append(entry[1])
    # the same normalised text may come from differently written lines: once is enough
    unique_keys, first = unique_first(np.array(new_keys, dtype=np.uint64))
    eligible, rows = fingerprint_rows([new_texts[i] for i in first], config)
    texts_file = None
    if text_dir is not None and files:
        texts_file = os.path.join(text_dir, f"{files[0][0]}.texts")
        write_texts(texts_file, unique_keys[eligible], [new_texts[i] for i in first[eligible].tolist()])
    return FingerprintChunk(
        pages=pages,
        keys=np.array(keys, dtype=np.uint64),
        empty=np.array(empty, dtype=bool),
        row_keys=unique_keys[eligible],
        rows=rows,
        texts=dict(zip(new_keys, new_texts)) if keep_texts else {},
        texts_file=texts_file,
        slash_order=(month_first, day_first),
    )


def forget_first_pass() -> None:
    """Give back the memory making fingerprints freed in this process: a worker would
    hold it idle through the cluster stage."""
    release_freed_memory()


def fetch_texts_chunk(config: Config, wanted: Sequence[tuple[int, InputFile, Sequence[int]]]) -> dict[int, str]:
    """Normalised texts of the given paragraph positions of the given pages, by exact key."""
    out: dict[int, str] = {}
    for index, item, positions in wanted:
        page = read_file(item, index, config)
        if isinstance(page, SkippedFile):
            continue
        texts = paragraph_texts(page.text)
        for position in positions:
            if position < len(texts):
                text = normalise_for_dedup(texts[position])
                out[exact_key(text)] = text
    return out


@dataclass(slots=True)
class PageBatch(Sequence):
    """Consecutive pages for `segment_chunk`, (index, file, its paragraphs' `ClusterArrays`)
    each, holding the arrays of all of them in one piece: their paragraphs are
    consecutive too. It pickles as four arrays, where a list of pages pickled four
    views of them a page (1.5 s of the main process's time at 100k pages, and as
    much again in the workers)."""

    pages: list[tuple[int, InputFile, int, int]]  #: index, file, its paragraphs lo..hi in `arrays`
    arrays: ClusterArrays

    def __len__(self) -> int:
        return len(self.pages)

    def __getitem__(self, k: int) -> tuple[int, InputFile, ClusterArrays]:
        index, item, lo, hi = self.pages[k]
        return index, item, self.arrays.slice(lo, hi)


@dataclass(slots=True)
class SegmentedChunk:
    copies: list[ArticleCopy] = field(default_factory=list)
    dropped_paragraphs: Counter = field(default_factory=Counter)
    dropped_chars: Counter = field(default_factory=Counter)
    failed: list[SkippedFile] = field(default_factory=list)
    #: with `record`: every dropped paragraph, with its text, in page order
    removals: list[Dropped] = field(default_factory=list)
    #: displayed text of the first paragraph met of each sampled cluster
    samples: dict[int, str] = field(default_factory=dict)


def segment_chunk(
    config: Config,
    pages: Sequence[tuple[int, InputFile, ClusterArrays]],
    record: bool = False,
    sample_clusters: frozenset[int] = frozenset(),
) -> SegmentedChunk:
    """Cut each page into article copies. With `record`, return every dropped paragraph
    too (for `--removed` and `--report`), and the text of the clusters to sample."""
    out = SegmentedChunk()
    for index, item, arrays in pages:
        page = read_file(item, index, config)
        paragraphs = paragraphs_of(page, config) if isinstance(page, Page) else []
        if isinstance(page, SkippedFile) or len(paragraphs) != len(arrays.cluster):
            out.failed.append(
                SkippedFile(item.path, "changed", "the file changed while it was being cleaned; run again")
            )
            continue
        infos = arrays.infos()
        if sample_clusters:
            for paragraph, info in zip(paragraphs, infos):
                if info.cluster in sample_clusters and info.cluster not in out.samples:
                    out.samples[info.cluster] = paragraph.text
        if item.meta is not None:  # an HTML page: its headline and date (see `html`)
            html.mark_headings(paragraphs, infos, item.meta, config.min_repeat_pages)
        copies, dropped = segment_page(paragraphs, infos, config, keep_text=record)
        if item.meta is not None:
            html.apply_page_meta(item.meta, paragraphs, infos, copies, dropped, config.min_repeat_pages)
        for d in dropped:
            out.dropped_paragraphs[d.reason] += 1
            out.dropped_chars[d.reason] += d.n_chars
        if record:
            out.removals.extend(sorted(dropped, key=lambda d: d.start))
        out.copies.extend(copies)
    # each text once (teasers repeat), its first copy deciding; a copy made only of
    # repeated paragraphs is usually a teaser of an article whose full copy gets
    # detected: the merger detects what is left
    first_copy: dict[str, ArticleCopy] = {}
    for copy in out.copies:
        first_copy.setdefault(copy.text, copy)
    to_detect = [t for t, c in first_copy.items() if not c.repeated_only] if config.detect_language else []
    langs = dict(zip(to_detect, detect_languages(to_detect)))
    ids = {text: article_id(text) for text in first_copy}
    for copy in out.copies:
        copy.lang, copy.id = langs.get(copy.text), ids[copy.text]
    return out


def resolved_date_order(config: Config, month_first: int, day_first: int) -> Config:
    """`config` with its "auto" date order settled by a run's evidence (the counts of
    its slashed dates readable only month first, and only day first)."""
    if config.date_order != "auto":
        return config
    return replace(config, date_order="mdy" if month_first > day_first else "dmy")
