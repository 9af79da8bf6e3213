"""Candidate pairs of near-duplicate texts: LSH banding over the band keys of their
MinHash signatures. Keys of each band are sorted and texts sharing a key in any band
become candidate pairs (the datasketch backend asks MinHashLSH instead).

With the defaults (lsh_threshold 0.5, lsh_recall 0.98, 128 permutations) banding is
33 bands of 3 rows: a pair at Jaccard 0.5 is found 98.8 % of the time, at 0.7 99.98 %,
and a pair at 0.1 becomes a candidate 3 % of the time (verification rejects it).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ..config import Config
from ..dedup.fingerprints import lsh_params
from ..dedup.sorted_sets import run_starts, unique
from ..engine.fingerprint_store import RowStore
from ..engine.workers import default_jobs

if TYPE_CHECKING:
    from ..dedup.clusters import ClusterStats

#: A band bucket holding more texts than this is linked as a chain plus a star
#: (enough for connectivity) instead of all its pairs, bounding verification work
#: when thousands of texts share a bucket.
MAX_BUCKET_PAIRS_SIZE = 64


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
    order, sorted_keys = _bucket_order(column)
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


def _bucket_order(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An order of the rows that puts rows of equal keys (a band's buckets) side by side,
    and the keys in that order. Any such order will do: pairs are put in (low, high)
    order and capped buckets sorted.

    Each row's number is packed into the low bits of its key and the packed values
    sorted: a sort of values is twice as fast as an `argsort` (which moves the indices
    along), and this is most of the candidates' time. Keys that differ only in those
    low bits may then lie interleaved by row number: those few stretches are sorted
    again by the whole key."""
    n = len(column)
    shift = max(int(n - 1).bit_length(), 1)
    if n < 2 or shift > 32 or column.dtype != np.uint64:
        order = np.argsort(column)
        return order, column[order]
    low = np.uint64((1 << shift) - 1)
    packed = np.bitwise_and(column, ~low)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    truncated_change = np.bitwise_xor(packed[1:], packed[:-1]) > low  # (the high bits differ)
    packed &= low
    order = packed.view(np.int64)
    sorted_keys = column[order]
    mixed = np.flatnonzero((sorted_keys[1:] != sorted_keys[:-1]) & ~truncated_change)
    if len(mixed):
        run_bounds = np.append(np.flatnonzero(truncated_change) + 1, n)
        for run in unique(np.searchsorted(run_bounds, mixed, side="right")).tolist():
            lo, hi = (int(run_bounds[run - 1]) if run else 0), int(run_bounds[run])
            by_key = np.argsort(sorted_keys[lo:hi], kind="stable")
            order[lo:hi] = order[lo:hi][by_key]
            sorted_keys[lo:hi] = sorted_keys[lo:hi][by_key]
    return order, sorted_keys


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
