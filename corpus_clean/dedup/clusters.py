"""Stage 4b: group paragraphs that are the same, or nearly, across the corpus.

1. Exact pass: paragraphs whose normalised texts have the same 64-bit key are one
   group (cheap, and the only pass for short lines, where a MinHash over one or two
   shingles means nothing).
2. Near pass, over the distinct texts long enough: LSH banding on the band keys of
   their MinHash signatures. Keys of each band are sorted and texts sharing a key in
   any band become candidate pairs (the datasketch backend asks MinHashLSH instead).
3. Verification: a candidate is accepted only if rapidfuzz's normalised Indel
   similarity of the two normalised texts reaches `threshold`, so an LSH false
   positive never merges two different paragraphs.
4. Union-find over verified pairs gives the clusters. A cluster's id is the index of
   its smallest key, so ids depend on the texts only, not on the order of work.

With the defaults (lsh_threshold 0.5, lsh_recall 0.98, 128 permutations) banding is
33 bands of 3 rows: a pair at Jaccard 0.5 is found 98.8 % of the time, at 0.7 99.98 %,
and a pair at 0.1 becomes a candidate 3 % of the time (verification rejects it).

Everything here works on flat numpy arrays (one entry per paragraph, or per distinct
text): no Python object per paragraph is kept across the corpus.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from ..config import Config
from ..engine.workers import default_jobs
from ..dedup.fingerprints import exact_key, fingerprint_rows, lsh_params
from ..dedup.sorted_sets import run_starts, unique, unique_first, unique_inverse
from ..records import ClusterInfo
from ..engine.fingerprint_store import RowStore

#: A band bucket holding more texts than this is linked as a chain plus a star
#: (enough for connectivity) instead of all its pairs, bounding verification work
#: when thousands of texts share a bucket.
MAX_BUCKET_PAIRS_SIZE = 64


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
        return [
            ClusterInfo(int(c), int(n), int(h), int(m))
            for c, n, h, m in zip(
                self.cluster[lo:hi].tolist(),
                self.n_pages[lo:hi].tolist(),
                self.pages_hash[lo:hi].tolist(),
                self.n_paragraphs[lo:hi].tolist(),
            )
        ]


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


def _bucket_pairs(members: np.ndarray) -> np.ndarray:
    n = len(members)
    if n <= MAX_BUCKET_PAIRS_SIZE:
        i, j = np.triu_indices(n, k=1)
        return np.stack([members[i], members[j]], axis=1)
    chain = np.stack([members[:-1], members[1:]], axis=1)
    star = np.stack([np.full(n - 2, members[0]), members[2:]], axis=1)
    return np.concatenate([chain, star])


def band_candidates(
    keys: np.ndarray | RowStore, stats: ClusterStats | None = None, settled: np.ndarray | None = None
) -> np.ndarray:
    """Candidate pairs (i < j), sorted and unique, of rows sharing a key in some band.

    `keys` has one row per text and one column per band (or is a `RowStore` of them).
    Buckets of the same size are turned into pairs together, in one numpy step per
    size. With `settled` (a mask of rows already clustered among themselves, from an
    index), buckets of settled rows only are skipped: their pairs are known.
    """
    rounds = list(band_candidate_rounds(keys, stats, settled))
    return rounds[0] if len(rounds) == 1 else _unique_pairs(rounds)


def band_candidate_rounds(
    keys: np.ndarray | RowStore,
    stats: ClusterStats | None = None,
    settled: np.ndarray | None = None,
    max_codes: int | None = None,
    threads: int = 1,
) -> Iterator[np.ndarray]:
    """`band_candidates` in rounds: the pairs found by the bands read so far (sorted and
    unique within the round) are given out once they pass `max_codes` (8 bytes each,
    counted before deduplication), so that the pairs of every band are never all in
    memory at once. A pair found in two rounds is given out twice. Without
    `max_codes`, one round. With `threads` > 1, that many bands are worked on at once
    (numpy sorts and gathers without holding the GIL); rounds are the same."""
    found: list[np.ndarray] = []
    held = 0
    n = max(len(keys), 1)  # pairs are coded as i * n + j (int64: up to 3 billion texts)
    width = keys.width if isinstance(keys, RowStore) else keys.shape[1]

    def band_codes(band: int) -> tuple[list[np.ndarray], int, int]:
        column = keys.column(band) if isinstance(keys, RowStore) else keys[:, band]
        return _band_codes(column, n, settled)

    with ThreadPoolExecutor(max(threads, 1)) as pool:
        # bands run at most `threads` ahead of the one consumed: each holds its codes
        ahead = [pool.submit(band_codes, band) for band in range(min(threads, width))]
        for band in range(width):
            if max_codes is not None and held > max_codes:
                yield _decoded_pairs(found, n)
                held = 0
            codes, capped_buckets, capped_pairs = ahead.pop(0).result()
            if band + len(ahead) + 1 < width:
                ahead.append(pool.submit(band_codes, band + len(ahead) + 1))
            if stats is not None:
                stats.capped_buckets += capped_buckets
                stats.capped_pairs += capped_pairs
            found.extend(codes)
            held += sum(map(len, codes))
    yield _decoded_pairs(found, n)


def _band_codes(column: np.ndarray, n: int, settled: np.ndarray | None) -> tuple[list[np.ndarray], int, int]:
    """The candidate pairs of one band (texts sharing its key), coded i * n + j (i < j),
    with the number of buckets capped (see `MAX_BUCKET_PAIRS_SIZE`) and of the pairs
    they would have held beyond their chain and star."""
    codes: list[np.ndarray] = []
    capped_buckets = capped_pairs = 0
    # any sort will do: pairs are put in (low, high) order and capped buckets sorted
    order = np.argsort(column)
    sorted_keys = column[order]
    boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate([[0], boundaries])
    sizes = np.diff(np.concatenate([starts, [len(column)]]))
    if settled is not None and len(starts):
        fresh = np.add.reduceat((~settled[order]).astype(np.int64), starts) > 0
        starts, sizes = starts[fresh], sizes[fresh]
    several = sizes > 1
    starts, sizes = starts[several], sizes[several]
    by_size = np.argsort(sizes, kind="stable")
    starts, sizes = starts[by_size], sizes[by_size]
    size_values, size_first = np.unique(sizes, return_index=True)  # few values: fast
    size_ends = np.append(size_first[1:], len(sizes))
    for size, lo, hi in zip(size_values.tolist(), size_first.tolist(), size_ends.tolist()):
        bucket_starts = starts[lo:hi]
        if size > MAX_BUCKET_PAIRS_SIZE:
            capped_buckets += len(bucket_starts)
            capped_pairs += len(bucket_starts) * (size * (size - 1) // 2 - (2 * size - 3))
            for s in bucket_starts.tolist():
                capped = _bucket_pairs(np.sort(order[s : s + size]))
                codes.append(capped[:, 0] * n + capped[:, 1])
            continue
        i, j = np.triu_indices(size, k=1)
        a = order[bucket_starts[:, None] + i[None, :]].ravel()
        b = order[bucket_starts[:, None] + j[None, :]].ravel()
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    return codes, capped_buckets, capped_pairs


def _decoded_pairs(codes: list[np.ndarray], n: int) -> np.ndarray:
    """Pairs (i < j), sorted and unique, from codes i * n + j (one int64 per pair: sorting
    and deduplicating one column is several times faster than rows of two)."""
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    joined = np.concatenate(codes)
    codes.clear()
    joined.sort()  # in place: these are the largest arrays of the cluster stage
    distinct = joined[run_starts(joined)]
    del joined
    pairs = np.empty((len(distinct), 2), dtype=np.int64)
    np.floor_divide(distinct, n, out=pairs[:, 0])
    np.remainder(distinct, n, out=pairs[:, 1])
    return pairs


def datasketch_candidates(sigs: np.ndarray, config: Config) -> np.ndarray:
    """The same candidates through datasketch's MinHashLSH (reference implementation)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm, params=lsh_params(config))
    minhashes = [MinHash(num_perm=config.num_perm, seed=config.seed, hashvalues=s, scheme="affine32") for s in sigs]
    for i, m in enumerate(minhashes):
        lsh.insert(i, m)
    found = [
        np.array([(i, j) for j in lsh.query(m) if j > i], dtype=np.int64).reshape(-1, 2)
        for i, m in enumerate(minhashes)
    ]
    return _unique_pairs(found)


def _unique_pairs(found: list[np.ndarray]) -> np.ndarray:
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)


def candidates(
    rows: np.ndarray, config: Config, stats: ClusterStats | None = None, settled: np.ndarray | None = None
) -> np.ndarray:
    """Candidate pairs among fingerprint rows (band keys, or signatures for datasketch)."""
    return np.concatenate(list(candidate_rounds(rows, config, stats, settled)))


def candidate_rounds(
    rows: np.ndarray | RowStore, config: Config, stats: ClusterStats | None = None, settled: np.ndarray | None = None
) -> Iterator[np.ndarray]:
    """`candidates` in rounds bounded by `Config.max_memory` (see `band_candidate_rounds`)."""
    if config.backend == "datasketch":
        yield datasketch_candidates(rows.matrix() if isinstance(rows, RowStore) else rows, config)
        return
    max_codes = None if config.max_memory is None else max(config.max_memory // CANDIDATE_MEMORY_SHARE, 1 << 20)
    # bands ahead hold their pairs too: none with a memory limit
    threads = 1 if max_codes is not None else config.jobs or default_jobs()
    yield from band_candidate_rounds(rows, stats, settled, max_codes, threads)


#: With `Config.max_memory`, the candidate pairs of a round take at most about this
#: fraction of it (codes of 8 bytes, sorted in place, then decoded to 16-byte pairs).
CANDIDATE_MEMORY_SHARE = 8 * 32


#: Texts longer than this are compared by their beginning and end only: the edit
#: distance of two megabyte paragraphs would take minutes, their ends tell enough.
MAX_VERIFY_CHARS = 20_000


#: With `Config.max_memory`, a round's pairs are verified by tiles of the file of texts
#: of about this fraction of it (see `in_file_order`).
VERIFY_TILE_SHARE = 8


def in_file_order(pairs: np.ndarray, offsets: Callable[[np.ndarray], np.ndarray], tile_bytes: int) -> np.ndarray:
    """The pairs ordered for reading their texts from a file larger than memory: by the
    tile (`tile_bytes` of the file) their first text lies in, then by where their
    second one lies. A batch of pairs then reads one tile, which stays in the page
    cache, and goes forward through the file for the other ends; in key order, the
    ends are at random places in the file, which under a hard memory limit means
    reading it again and again at random (a million pages under 4 GB: 2.8 GB of texts).
    The clusters do not depend on the order: a pair whose texts are already joined
    is skipped, and skipping it changes nothing."""
    if len(pairs) < 2:
        return pairs
    first, second = offsets(pairs[:, 0]), offsets(pairs[:, 1])
    hi = np.maximum(first, second)
    lo = np.minimum(first, second, out=first)
    del second
    lo //= max(tile_bytes, 1)
    if int(hi.max()) < 1 << 40:  # one sort key: tile, then place (a file under 1 TB)
        lo <<= 40
        lo |= hi
        del hi
        order = np.argsort(lo, kind="stable")
    else:
        order = np.lexsort((hi, lo))
    del lo, first
    return pairs[order]


#: Pairs compared per call to rapidfuzz (bounds the memory of the lists of texts).
VERIFY_BATCH_PAIRS = 1_000_000
#: Candidate pairs verified between two joinings of clusters: smaller batches skip more
#: pairs already joined, and join more often (a pass over all texts each time).
JOIN_BATCH_PAIRS = 250_000


#: `Samples` looks ids up in a table (see `Samples.positions`) when the largest id is
#: less than this many times the number of texts.
_DENSE_SPAN = 16


def verification_sample(text: str) -> str:
    """The text, or its beginning and end when it is too long to compare whole."""
    if len(text) <= MAX_VERIFY_CHARS:
        return text
    half = MAX_VERIFY_CHARS // 2
    return text[:half] + " " + text[-half:]


def verify(
    pairs: np.ndarray, text_of: Callable[[int], str], threshold: float, workers: int = 1
) -> list[tuple[int, int]]:
    """The pairs whose texts are at least `threshold` similar (rapidfuzz normalised Indel),
    compared on `workers` threads."""
    return [tuple(pair) for pair in pairs[similar(pairs, text_of, threshold, workers)].tolist()]


def similar(
    pairs: np.ndarray,
    text_of: Callable[[int], str],
    threshold: float,
    workers: int = 1,
    ends: np.ndarray | None = None,
) -> np.ndarray:
    """Mask of the pairs whose texts are at least `threshold` similar (see `verify`).
    `ends`: `unique(pairs)`, when the caller has it already."""
    if not len(pairs):
        return np.zeros(0, dtype=bool)
    return Samples(unique(pairs) if ends is None else ends, text_of).similar(pairs, threshold, workers)


class Samples:
    """The texts that pairs are verified on, looked up once each (a text is in many
    pairs), then indexed by the pairs."""

    def __init__(
        self,
        ends: np.ndarray,
        text_of: Callable[[int], str] | None = None,
        texts_of: Callable[[np.ndarray], list[str]] | None = None,
    ) -> None:
        """The texts of `ends`, from text_of(id), or from texts_of(ids) all at once."""
        self.ends = ends  #: the ids of the texts, sorted
        texts = texts_of(ends) if texts_of is not None else map(text_of, ends.tolist())
        samples = [t if len(t) <= MAX_VERIFY_CHARS else verification_sample(t) for t in texts]
        self.lengths = np.fromiter(map(len, samples), dtype=np.int64, count=len(samples))
        # an array of the str objects (not copies): picking a batch's texts out of it is
        # numpy's loop, not Python's (14M picks at 100k pages)
        self.samples = np.empty(len(samples), dtype=object)
        self.samples[:] = samples
        self._where: np.ndarray | None = None

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """The positions of `ids` (any shape, all among `ends`) in `ends`."""
        ends = self.ends
        # ids are row numbers, so a table of every row's position is a gather rather than
        # a binary search per id (tens of millions of lookups at 100k pages, in the
        # cluster stage, where the other core mostly waits). The table costs 4 bytes
        # a row up to the largest id: made only when that is at most a few times `ends`.
        if self._where is None and len(ends) and int(ends[0]) >= 0 and int(ends[-1]) < _DENSE_SPAN * len(ends):
            self._where = np.zeros(int(ends[-1]) + 1, dtype=np.int32 if len(ends) < 1 << 31 else np.int64)
            self._where[ends] = np.arange(len(ends), dtype=self._where.dtype)
        if self._where is not None:
            return self._where[ids]
        return np.searchsorted(ends, ids)

    def similar(self, pairs: np.ndarray, threshold: float, workers: int = 1) -> np.ndarray:
        """Mask of the pairs (of ids among `ends`) whose texts are at least `threshold` similar."""
        out = np.zeros(len(pairs), dtype=bool)
        samples, lengths = self.samples, self.lengths
        # in batches: the positions, lengths and lists of texts of all the pairs at once
        # would cost 60 bytes a pair (seven million pairs at 100k pages)
        for start in range(0, len(pairs), VERIFY_BATCH_PAIRS):
            where = self.positions(pairs[start : start + VERIFY_BATCH_PAIRS])
            # two texts of lengths a <= b are at most 2a / (a + b) similar (the Indel distance
            # is at least b - a): pairs that cannot reach the threshold are not compared at
            # all (a third of the candidates on the benchmark corpus); the margin keeps any
            # pair a rounding error could put on the threshold
            a, b = lengths[where[:, 0]], lengths[where[:, 1]]
            reachable = np.flatnonzero(2 * np.minimum(a, b) >= (threshold - 1e-9) * np.maximum(a + b, 1))
            left = samples[where[reachable, 0]].tolist()
            right = samples[where[reachable, 1]].tolist()
            # element-wise similarity of the two lists, in rapidfuzz's C++ (no Python per pair)
            scores = process.cpdist(
                left, right, scorer=Indel.normalized_similarity, score_cutoff=threshold, workers=max(workers, 1)
            )
            out[start + reachable] = scores >= threshold
        return out


def components(n: int, edges: np.ndarray, parent: np.ndarray | None = None) -> np.ndarray:
    """For each of 0..n-1, the smallest element of its connected component under `edges`
    ((k, 2) int array): `UnionFind`'s representatives, in numpy. `parent`: components
    found before (what this function returned), which `edges` join further.

    Every element points to a smaller one or itself, so each tree's root is its
    smallest element. Each round hooks the larger root of every edge whose ends are in
    different trees onto the smaller one, then halves paths until every element points
    at its root; the trees left when no edge joins two of them are the components.
    """
    parent = np.arange(n, dtype=np.int64) if parent is None else parent.copy()
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    while len(edges):
        ends = parent[edges]
        lo, hi = ends.min(axis=1), ends.max(axis=1)
        apart = lo != hi
        if not apart.any():
            break
        edges, lo, hi = edges[apart], lo[apart], hi[apart]
        np.minimum.at(parent, hi, lo)  # hi and lo are roots: trees join, smaller root wins
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def find_roots(parent: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The roots of the trees of elements `x` under `parent` (any shape of x), and, on
    the way, every element of x pointed at its root (path compression, in place)."""
    roots = parent[x]
    while True:
        up = parent[roots]
        if np.array_equal(up, roots):
            break
        roots = up
    parent[x] = roots
    return roots


def join(parent: np.ndarray, edges: np.ndarray) -> None:
    """Join, in place, the trees of the two ends of every edge ((k, 2) array): what
    `components` does, for many small batches of edges in a row. `parent` need not be
    flat (`flatten` makes it so): only the trees the edges touch are walked, where
    `components` walks every element each time (at 1M pages, 8M texts for each of
    hundreds of batches)."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    while len(edges):
        ends = find_roots(parent, edges)
        lo, hi = ends.min(axis=1), ends.max(axis=1)
        apart = lo != hi
        if not apart.any():
            return
        edges, lo, hi = edges[apart], lo[apart], hi[apart]
        np.minimum.at(parent, hi, lo)  # roots join, the smaller wins (as in `components`)


def flatten(parent: np.ndarray) -> np.ndarray:
    """Every element pointed at its root: `components`' form of the trees."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


class UnionFind:
    """Disjoint sets over 0..n-1 whose representative is always the smallest member."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo

    def roots(self, n: int) -> np.ndarray:
        """Representative of every element of 0..n-1."""
        out = np.arange(n, dtype=np.int64)
        for x in list(self.parent):
            out[x] = self.find(x)
        return out


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
            needed = unique(pairs)
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
                batch_samples = samples or Samples(unique(batch), texts_of=read_texts)
                verified = batch_samples.similar(batch, config.threshold, workers)
                stats.verified_pairs += int(verified.sum())
                join(roots, ends[verified])
            del pairs, samples, batch_samples  # their texts: all the candidates' texts
        roots = flatten(roots)
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
    Shared by both engines (`pipeline`, `dask_engine`), so their arrays are the same."""
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
    scope, n_scopes, scope_cluster = cluster, n_clusters, None
    if page_groups is not None and len(page_groups) and int(page_groups.max()) > 0:
        n_groups = int(page_groups.max()) + 1
        scoped = np.multiply(cluster, n_groups, out=_paragraph_array(folder, None, np.int64, n))
        for lo, hi in _slices(len(scoped)):
            scoped[lo:hi] += page_groups[pages[lo:hi]]
        scopes, scope = unique_inverse(scoped, overwrite=True)  # scope is scoped's memory
        del scoped
        n_scopes = len(scopes)
        scope_cluster = scopes // n_groups
        del scopes
    scope_pages, scope_hash = (
        (n_pages, pages_hash) if scope is cluster else _pages_per_group(scope, pages, n_scopes, False, folder)[:2]
    )

    if table is not None:
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


def cluster_paragraphs(
    normalised: Sequence[str], pages: Sequence[int], config: Config, page_groups: Sequence[int] | None = None
) -> tuple[list[ClusterInfo], ClusterStats]:
    """Cluster a small in-memory corpus: one ClusterInfo per paragraph, in input order
    (page counts within each page's group, when `page_groups` gives one per page)."""
    keys = np.fromiter((exact_key(t) for t in normalised), dtype=np.uint64, count=len(normalised))
    empty = np.fromiter((not t for t in normalised), dtype=bool, count=len(normalised))
    text_of = {int(k): t for k, t in zip(keys, normalised)}
    row_keys = unique(keys[~empty])
    texts = [text_of[int(k)] for k in row_keys]
    eligible, rows = fingerprint_rows(texts, config)
    stats = ClusterStats()
    arrays = cluster_corpus(
        keys,
        empty,
        np.asarray(pages, dtype=np.int64),
        row_keys[eligible],
        rows,
        lambda ks: {int(k): text_of[int(k)] for k in ks},
        config,
        stats,
        page_groups=None if page_groups is None else np.asarray(page_groups, dtype=np.int64),
    )
    return arrays.infos(0, len(normalised)), stats
