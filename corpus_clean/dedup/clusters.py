"""Group paragraphs that are the same, or nearly, across the corpus (`cluster_corpus`),
and count, per paragraph, the pages its group is on.

1. Exact pass: paragraphs whose normalised texts have the same 64-bit key are one
   group (cheap, and the only pass for short lines, where a MinHash over one or two
   shingles means nothing).
2. Near pass, over the distinct texts long enough: candidate pairs from LSH banding
   (`candidates`), each verified by rapidfuzz (`verify`).
3. Connected components over verified pairs give the clusters (`components`). A
   cluster's id is the index of its smallest key, so ids depend on the texts only,
   not on the order of work.

Everything here works on flat numpy arrays (one entry per paragraph, or per distinct
text): no Python object per paragraph is kept across the corpus.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from rapidfuzz.distance import Indel

from ..config import Config
from ..dedup.candidates import candidate_rounds, candidates
from ..dedup.components import components, find_roots, flatten, join
from ..dedup.fingerprints import fingerprint_rows, lsh_params
from ..dedup.sorted_sets import run_starts, unique, unique_first, unique_inverse
from ..dedup.verify import VERIFY_TILE_SHARE, Samples, in_file_order, verification_sample, verify
from ..engine.fingerprint_store import RowStore
from ..engine.workers import default_jobs
from ..records import ClusterInfo


@dataclass(slots=True)
class ClusterStats:
    paragraphs: int = 0
    distinct_texts: int = 0  #: after the exact pass
    minhashed_texts: int = 0  #: texts long enough for the near pass
    candidate_pairs: int = 0  #: pairs proposed by LSH
    verified_pairs: int = 0  #: candidates accepted by rapidfuzz
    #: candidates not compared: their texts were already joined (through other pairs)
    joined_pairs: int = 0
    #: LSH buckets too big to pair in full (linked as a chain and a star instead), and
    #: the pairs that were therefore not checked
    capped_buckets: int = 0
    capped_pairs: int = 0
    repeated_clusters: int = 0  #: clusters found on at least `min_repeat_pages` pages
    repeated_paragraphs: int = 0  #: paragraphs in those clusters
    bands: int = 0
    rows: int = 0


@dataclass(slots=True)
class ClusterArrays:
    """Per paragraph (in corpus order): its cluster, the pages the cluster is on, their hash."""

    cluster: np.ndarray  # int64
    n_pages: np.ndarray  # int32
    pages_hash: np.ndarray  # uint64
    n_paragraphs: np.ndarray  # int32

    def slice(self, lo: int, hi: int) -> ClusterArrays:
        return ClusterArrays(self.cluster[lo:hi], self.n_pages[lo:hi], self.pages_hash[lo:hi], self.n_paragraphs[lo:hi])

    def infos(self, lo: int = 0, hi: int | None = None) -> list[ClusterInfo]:
        hi = len(self.cluster) if hi is None else hi
        # (`tolist` gives Python ints; `map` builds the infos without a Python loop)
        return list(
            map(
                ClusterInfo,
                self.cluster[lo:hi].tolist(),
                self.n_pages[lo:hi].tolist(),
                self.pages_hash[lo:hi].tolist(),
                self.n_paragraphs[lo:hi].tolist(),
            )
        )


@dataclass(slots=True)
class ClusterTable:
    """Per cluster (indexed by cluster id): what `--removed` and `--report` tell about it.

    Filled by `cluster_corpus` only when asked for: the main run does not need it.
    """

    n_pages: np.ndarray | None = None  # int32: pages the cluster is on
    first_pages: np.ndarray | None = None  # int64 (n, 2): its first two pages (-1: none)
    #: clusters of several distinct texts: their two smallest texts (normalised), each
    #: with the first page it is on
    variants: dict[int, tuple[tuple[str, int], tuple[str, int]]] = field(default_factory=dict)

    def other_page(self, cluster: int, page: int) -> int | None:
        """The first page other than `page` that shows the cluster."""
        first, second = self.first_pages[cluster].tolist()
        other = second if first == page else first
        return other if other >= 0 else None

    def compare(self, cluster: int, text: str) -> tuple[int | None, float]:
        """For a paragraph of the cluster whose normalised text is `text`: the first page
        of another text of the cluster and their similarity, or (None, 1.0) when the
        cluster holds that text only (any other page of the cluster matches it)."""
        variants = self.variants.get(cluster)
        if variants is None:
            return None, 1.0
        (first, first_page), (second, second_page) = variants
        other, other_page = (second, second_page) if text == first else (first, first_page)
        similarity = Indel.normalized_similarity(verification_sample(text), verification_sample(other))
        return other_page, round(similarity, 4)


#: Candidate pairs verified between two joinings of clusters: smaller batches skip more
#: pairs already joined, and join more often (a pass over all texts each time).
JOIN_BATCH_PAIRS = 250_000


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def cluster_corpus(
    keys: np.ndarray,
    empty: np.ndarray,
    pages: np.ndarray,
    row_keys: np.ndarray,
    rows: np.ndarray,
    texts_for: Callable[[np.ndarray], dict[int, str]],
    config: Config,
    stats: ClusterStats | None = None,
    table: ClusterTable | None = None,
    page_groups: np.ndarray | None = None,
    linked: np.ndarray | None = None,
    settled_rows: np.ndarray | None = None,
    row_texts: Callable[[np.ndarray], list[str]] | None = None,
    arrays_dir: str | None = None,
) -> ClusterArrays:
    """Cluster every paragraph of the corpus (and fill `table`, when given).

    keys, empty, pages: per paragraph, its exact key, whether its normalised text is
    empty (only punctuation: it matches nothing), and its page. row_keys, rows: the
    fingerprint rows of texts long enough for MinHash, one per distinct key (any
    order). texts_for(keys) returns the normalised texts of the given keys (asked only
    for the texts of candidate pairs). page_groups: the group (site) of each page, by
    page index; a paragraph's page counts are then taken within its page's group.
    linked: (k, 2) key pairs known to be in one cluster (from an index), joined without
    verification; settled_rows: rows whose clusters are already known among themselves
    (candidate pairs of two such rows are not verified again). rows may be a
    `RowStore`; row_texts(rows), when given, gives the texts of rows (then `texts_for` is
    asked only to fill `table`). arrays_dir: a folder to make the per-paragraph arrays
    in, as files (see `cluster_arrays`).
    """
    stats = stats if stats is not None else ClusterStats()
    stats.paragraphs = len(keys)
    stats.bands, stats.rows = lsh_params(config)
    if config.max_memory is None:
        # each paragraph's place among the distinct keys, from the sort that finds them:
        # looking every paragraph up again later by binary search took three times as long
        distinct, full_distinct = unique_inverse(keys[~empty])
    else:  # that is 8 bytes a paragraph more, held through the stage
        distinct = keys[~empty]
        distinct.sort()
        distinct = distinct[run_starts(distinct)]
        full_distinct = None
    stats.distinct_texts = len(distinct)
    stats.minhashed_texts = len(row_keys)

    # texts known to be one cluster (from an index) are joined first: their candidate
    # pairs are then not verified
    known = np.searchsorted(distinct, linked) if linked is not None and len(linked) else np.empty((0, 2), np.int64)
    roots = components(len(distinct), known)
    texts: dict[int, str] = {}
    if len(row_keys) >= 2:
        roots = _join_verified_pairs(
            roots, distinct, row_keys, rows, texts, texts_for, config, stats, table, settled_rows, row_texts
        )
    if table is not None and len(known):
        # texts joined as an index's clusters were never compared, nor fetched: the
        # table shows two variants of each cluster
        linked_keys = unique(np.asarray(linked, dtype=np.uint64).ravel())
        missing = linked_keys[~np.isin(linked_keys, np.fromiter(texts, dtype=np.uint64, count=len(texts)))]
        if len(missing):
            texts.update(texts_for(missing))
    return cluster_arrays(
        keys, empty, pages, distinct, roots, config, stats, table, page_groups, texts, full_distinct, arrays_dir
    )


def _join_verified_pairs(
    roots: np.ndarray,
    distinct: np.ndarray,
    row_keys: np.ndarray,
    rows: np.ndarray,
    texts: dict[int, str],
    texts_for: Callable[[np.ndarray], dict[int, str]],
    config: Config,
    stats: ClusterStats,
    table: ClusterTable | None,
    settled_rows: np.ndarray | None,
    row_texts: Callable[[np.ndarray], list[str]] | None,
) -> np.ndarray:
    """Join the clusters of every candidate pair whose texts verify as near-duplicates;
    the flattened roots (see `cluster_corpus` for the arguments; `texts` is filled with
    the texts fetched by key, for the table)."""
    row_distinct = np.searchsorted(distinct, row_keys)
    workers = config.jobs or default_jobs()
    bounded = config.max_memory is not None and row_texts is not None
    read_texts = partial(rows.texts, file_order=True) if bounded and isinstance(rows, RowStore) else row_texts
    for pairs in candidate_rounds(rows, config, stats, settled_rows):
        if settled_rows is not None:
            pairs = pairs[~(settled_rows[pairs[:, 0]] & settled_rows[pairs[:, 1]])]
        stats.candidate_pairs += len(pairs)
        if bounded and isinstance(rows, RowStore):
            pairs = in_file_order(pairs, rows.text_offsets, config.max_memory // VERIFY_TILE_SHARE)
        needed = _ends(pairs, len(row_keys))
        if table is not None or row_texts is None:
            texts.update(texts_for(row_keys[needed]))
        # with a memory limit, the texts are looked up for each batch of pairs rather
        # than for the whole round (which may need nearly every text)
        if bounded:
            samples = None
        elif row_texts is not None:
            samples = Samples(needed, texts_of=row_texts)
        else:
            samples = Samples(needed, lambda r: texts[int(row_keys[r])])
        batch_samples = samples
        # in batches, joining the clusters after each: a pair whose texts are already in
        # one cluster (through pairs verified before) cannot change the clusters, so it
        # is not compared (teasers shown on several pages make cliques of near-copies)
        for start in range(0, len(pairs), JOIN_BATCH_PAIRS):
            batch = pairs[start : start + JOIN_BATCH_PAIRS]
            ends = row_distinct[batch]
            ends_roots = find_roots(roots, ends)
            apart = ends_roots[:, 0] != ends_roots[:, 1]
            stats.joined_pairs += len(batch) - int(apart.sum())
            batch, ends = batch[apart], ends[apart]
            batch_samples = samples or Samples(_ends(batch, len(row_keys)), texts_of=read_texts)
            verified = batch_samples.similar(batch, config.threshold, workers)
            stats.verified_pairs += int(verified.sum())
            join(roots, ends[verified])
        del pairs, samples, batch_samples  # their texts: all the candidates' texts
    roots = flatten(roots)
    return roots


def _ends(pairs: np.ndarray, n: int) -> np.ndarray:
    """`unique(pairs)` for pairs of rows below n: marked in a mask of the rows rather
    than sorted (seven million pairs at 100k pages, two seconds of sorting)."""
    seen = np.zeros(n, dtype=bool)
    seen[pairs.ravel()] = True
    return np.flatnonzero(seen)


def cluster_arrays(
    keys: np.ndarray,
    empty: np.ndarray,
    pages: np.ndarray,
    distinct: np.ndarray,
    roots: np.ndarray,
    config: Config,
    stats: ClusterStats,
    table: ClusterTable | None = None,
    page_groups: np.ndarray | None = None,
    texts: dict[int, str] | None = None,
    full_distinct: np.ndarray | None = None,
    folder: str | None = None,
) -> ClusterArrays:
    """The per-paragraph arrays once the clusters are known: `roots` gives, for each of the
    sorted `distinct` keys, the index of its cluster's smallest key (see `cluster_corpus`
    for the other arguments; `texts`, the verified texts by key, only fills `table`;
    `full_distinct`, each non-empty paragraph's index in `distinct`, when known; with a
    `folder`, the arrays of one entry a paragraph are made in files there, see
    `_paragraph_array`, and the arrays given are those files, mapped read-only).
    Shared by both engines (`local`, `dask`), so their arrays are the same."""
    texts = texts if texts is not None else {}
    # (the arrays here are a few per paragraph, 250 MB each at 1M pages: temporaries
    # are made in place or a slice of paragraphs at a time, and dropped once used)
    n = len(keys)
    cluster = _paragraph_array(folder, "cluster", np.int64, n)
    if full_distinct is None:
        for lo, hi in _slices(len(keys)):
            full = ~empty[lo:hi]
            cluster[lo:hi][full] = roots[np.searchsorted(distinct, keys[lo:hi][full])]
    else:
        cluster[~empty] = roots[full_distinct]
    # paragraphs of punctuation only: each its own cluster, after the real ones
    cluster[empty] = len(distinct) + np.arange(int(empty.sum()))

    n_clusters = len(distinct) + int(empty.sum())
    pages = np.asarray(pages, dtype=np.int64)
    # (only the table asks for the pairs: 8 bytes a paragraph each, near enough)
    n_pages, pages_hash, pairs = _pages_per_group(cluster, pages, n_clusters, table is not None, folder)
    # what a page learns about its paragraphs is counted among the pages of its own group
    # (its site): one site's sidebar says nothing about another site's article, while
    # the clusters themselves, and so the merging of copies, stay corpus-wide
    scope, n_scopes, scope_cluster = _scopes(cluster, pages, n_clusters, page_groups, folder)
    scope_pages, scope_hash = (
        (n_pages, pages_hash) if scope is cluster else _pages_per_group(scope, pages, n_scopes, False, folder)[:2]
    )

    if table is not None:
        _fill_table(table, n_clusters, n_pages, pairs, roots, distinct, keys, pages, texts)

    # counted per scope (every scope has paragraphs), not per paragraph
    n_paragraphs = np.bincount(scope, minlength=n_scopes).astype(np.int32)
    repeated = scope_pages >= config.min_repeat_pages
    stats.repeated_clusters = int(repeated.sum()) if scope_cluster is None else len(unique(scope_cluster[repeated]))
    stats.repeated_paragraphs = int(n_paragraphs[repeated].sum(dtype=np.int64))
    arrays = {"cluster": cluster}
    for name, per_scope in (("n_pages", scope_pages), ("pages_hash", scope_hash), ("n_paragraphs", n_paragraphs)):
        arrays[name] = _paragraph_array(folder, name, per_scope.dtype, n)
        for lo, hi in _slices(n):
            np.take(per_scope, scope[lo:hi], out=arrays[name][lo:hi])
    if folder is not None:
        for name, array in arrays.items():
            if isinstance(array, np.memmap):
                array.flush()
                arrays[name] = np.load(array.filename, mmap_mode="r")
    return ClusterArrays(**arrays)


def _scopes(
    cluster: np.ndarray, pages: np.ndarray, n_clusters: int, page_groups: np.ndarray | None, folder: str | None
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Each paragraph's scope (its cluster within its page's group), the number of scopes
    and each scope's cluster; without groups the scopes are the clusters (and the last is
    None)."""
    scope, n_scopes, scope_cluster = cluster, n_clusters, None
    if page_groups is not None and len(page_groups) and int(page_groups.max()) > 0:
        n_groups = int(page_groups.max()) + 1
        scoped = np.multiply(cluster, n_groups, out=_paragraph_array(folder, None, np.int64, len(cluster)))
        for lo, hi in _slices(len(scoped)):
            scoped[lo:hi] += page_groups[pages[lo:hi]]
        scopes, scope = unique_inverse(scoped, overwrite=True)  # scope is scoped's memory
        del scoped
        n_scopes = len(scopes)
        scope_cluster = scopes // n_groups
        del scopes
    return scope, n_scopes, scope_cluster


def _fill_table(
    table: ClusterTable,
    n_clusters: int,
    n_pages: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    roots: np.ndarray,
    distinct: np.ndarray,
    keys: np.ndarray,
    pages: np.ndarray,
    texts: dict[int, str],
) -> None:
    """The table's columns: each cluster's page count, its first two pages and, for a
    cluster of several texts, two of its variants with a page of each."""
    table.n_pages = n_pages
    pair_cluster, pair_page = pairs
    starts = np.searchsorted(pair_cluster, np.arange(n_clusters))
    table.first_pages = np.full((n_clusters, 2), -1, dtype=np.int64)
    table.first_pages[:, 0] = np.where(n_pages > 0, pair_page[np.minimum(starts, len(pair_page) - 1)], -1)
    has_second = n_pages > 1
    table.first_pages[has_second, 1] = pair_page[starts[has_second] + 1]
    sizes = np.bincount(roots, minlength=len(distinct))
    several = np.flatnonzero(sizes > 1)
    if len(several):
        member_order = np.lexsort((np.arange(len(distinct)), roots))  # by cluster, then key
        second = member_order[np.searchsorted(roots[member_order], several) + 1]
        distinct_all, first_paragraph = unique_first(keys)
        page_of = pages[first_paragraph[np.searchsorted(distinct_all, distinct)]]
        table.variants = {
            c: ((texts[int(distinct[c])], int(page_of[c])), (texts[int(distinct[d])], int(page_of[d])))
            for c, d in zip(several.tolist(), second.tolist())
        }


def _pages_per_group(
    group: np.ndarray, pages: np.ndarray, n_groups: int, keep_pairs: bool = False, folder: str | None = None
):
    """For paragraphs grouped by `group` (ids in 0..n_groups-1) on `pages`: the number of
    distinct pages of each group, an order-free hash of that set of pages, and (with
    `keep_pairs`, else None) the sorted distinct (group, page) pairs, as two arrays.

    The (group, page) codes are sorted once, then read a slice at a time: the codes are
    the only array of one entry a paragraph held (the pairs, the groups and the pages of
    the whole corpus at once were four more), in a file in `folder` when given."""
    width = int(pages.max(initial=0)) + 1
    codes = np.multiply(group, width, out=_paragraph_array(folder, None, np.int64, len(group)))
    codes += pages
    codes.sort()
    n_pages = np.zeros(n_groups, dtype=np.int64)
    pages_hash = np.zeros(n_groups, dtype=np.uint64)
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for lo, hi in _slices(len(codes)):
        part = codes[lo:hi]
        new = run_starts(part)
        if lo:  # a pair running on from the slice before is that slice's
            new[0] = part[0] != codes[lo - 1]
        pairs = part[new]
        pair_group, pair_page = pairs // width, pairs % width
        # the groups are sorted: each run of one group's pairs is summed at once
        runs = np.flatnonzero(run_starts(pair_group))
        at = pair_group[runs]
        n_pages[at] += np.diff(np.append(runs, len(pair_group)))
        with np.errstate(over="ignore"):
            pages_hash[at] += np.add.reduceat(_splitmix64(pair_page), runs) if len(runs) else 0
        if keep_pairs:
            kept.append((pair_group, pair_page))
    del codes
    pairs = None
    if keep_pairs:
        pairs = tuple(np.concatenate([k[i] for k in kept] or [np.zeros(0, np.int64)]) for i in range(2))
    return n_pages.astype(np.int32), pages_hash, pairs


def _paragraph_array(folder: str | None, name: str | None, dtype, n: int) -> np.ndarray:
    """An array of n entries (one a paragraph): in memory, or, with a `folder`, in a file
    there (`clusters-<name>.npy`), mapped. Its pages are then the page cache's, which the
    kernel writes out and drops under memory pressure, where memory of the process's own
    could only be swapped (or the process killed). Without a name the file is removed at
    once: the mapping keeps it until the array is gone."""
    if folder is None or n == 0:
        return np.empty(n, dtype=dtype)
    path = os.path.join(
        folder, f"clusters-{name}.npy" if name else f"clusters-scratch-{os.getpid()}-{next(_scratch)}.npy"
    )
    array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(n,))
    if name is None:
        os.remove(path)
    return array


_scratch = itertools.count()


def _slices(n: int) -> Iterator[tuple[int, int]]:
    """(lo, hi) of successive slices of `_SLICE` paragraphs out of n."""
    for lo in range(0, n, _SLICE):
        yield lo, min(lo + _SLICE, n)


#: Paragraphs worked on at a time where a step would otherwise make several arrays
#: of one entry a paragraph at once (8 MB each, for the 1M paragraphs of 30k pages).
_SLICE = 1 << 20


def near_duplicate_pairs(
    texts: Sequence[str], config: Config, stats: ClusterStats | None = None
) -> list[tuple[int, int]]:
    """Verified near-duplicate pairs (i, j) among distinct normalised texts."""
    stats = stats if stats is not None else ClusterStats()
    eligible, rows = fingerprint_rows(texts, config)
    index = np.flatnonzero(eligible)
    stats.minhashed_texts = len(index)
    stats.bands, stats.rows = lsh_params(config)
    if len(index) < 2:
        return []
    pairs = candidates(rows, config, stats)
    stats.candidate_pairs = len(pairs)
    verified = verify(pairs, lambda r: texts[index[r]], config.threshold)
    stats.verified_pairs = len(verified)
    return [(int(index[i]), int(index[j])) for i, j in verified]
