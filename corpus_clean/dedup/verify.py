"""Verification of candidate pairs: a pair is accepted only if rapidfuzz's normalised
Indel similarity of the two normalised texts reaches the threshold, so an LSH false
positive never merges two different paragraphs.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from ..dedup.sorted_sets import run_starts, unique

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
            scores = _similarities(samples, where[reachable, 0], where[reachable, 1], threshold, workers)
            out[start + reachable] = scores >= threshold
        return out


#: Pairs sharing their first text are compared as one text against the others when
#: there are at least this many of them (see `_similarities`).
GROUP_PAIRS = 4


def _similarities(
    samples: np.ndarray, left: np.ndarray, right: np.ndarray, threshold: float, workers: int
) -> np.ndarray:
    """rapidfuzz's similarity (0 below `threshold`) of samples[left[k]] and samples[right[k]]
    for every k, in its C++ (no Python per pair).

    Comparing pair by pair (`cpdist`) prepares both texts of every pair; a text against
    several (`cdist`) prepares it once: a quarter less time on the candidates of a crawl,
    where a text is the first of some fifteen pairs. The scores are the same either way.
    A call per text is too short for rapidfuzz's own threads: with several workers, the
    texts are shared out among threads of this process instead, each making its own
    calls (rapidfuzz lets go of the GIL while it compares)."""
    scorer = Indel.normalized_similarity

    def pair_by_pair(lefts: np.ndarray, rights: np.ndarray) -> np.ndarray:
        return process.cpdist(
            samples[lefts].tolist(),
            samples[rights].tolist(),
            scorer=scorer,
            score_cutoff=threshold,
            workers=max(workers, 1),
        )

    if len(left) < 2 * GROUP_PAIRS:
        return pair_by_pair(left, right)
    order = None
    if (left[1:] < left[:-1]).any():  # (pairs come sorted, but for `in_file_order`'s)
        order = np.argsort(left, kind="stable")
        left, right = left[order], right[order]
    starts = np.flatnonzero(run_starts(left))
    sizes = np.diff(np.append(starts, len(left)))
    grouped = sizes >= GROUP_PAIRS
    scores = np.empty(len(left), dtype=np.float32)
    right_texts = samples[right].tolist()
    group_starts, group_sizes = starts[grouped], sizes[grouped]
    group_texts = samples[left[group_starts]].tolist()

    def compare(first: int, last: int) -> None:
        """The groups first..last-1, each text against its others (into `scores`)."""
        for lo, size, text in zip(
            group_starts[first:last].tolist(), group_sizes[first:last].tolist(), group_texts[first:last]
        ):
            hi = lo + size
            scores[lo:hi] = process.cdist(
                [text], right_texts[lo:hi], scorer=scorer, score_cutoff=threshold, dtype=np.float32
            )[0]

    threads = max(1, min(workers, len(group_starts)))
    if threads == 1:
        compare(0, len(group_starts))
    else:
        # contiguous runs of groups of about as many pairs each (each thread writes its own
        # part of `scores`)
        cuts = np.searchsorted(np.cumsum(group_sizes), np.arange(1, threads) * (group_sizes.sum() / threads))
        bounds = [0, *cuts.tolist(), len(group_starts)]
        with ThreadPoolExecutor(threads) as pool:
            for done in [pool.submit(compare, lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]:
                done.result()
    rest = np.flatnonzero(np.repeat(~grouped, sizes))
    if len(rest):
        scores[rest] = pair_by_pair(left[rest], right[rest])
    if order is not None:
        unordered = np.empty_like(scores)
        unordered[order] = scores
        scores = unordered
    return scores
