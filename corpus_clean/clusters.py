"""Stage 4b: group paragraphs that are the same, or nearly, across the corpus.

1. Exact pass: paragraphs with the same normalised text are one group (cheap, and
   the only pass for short lines, where a MinHash over one or two shingles means
   nothing).
2. Near pass, over the distinct texts long enough: MinHash signatures, then LSH
   banding: each band of `rows` signature values is hashed to one 64-bit key, keys
   are sorted, and texts sharing a key in any band become candidate pairs.
3. Verification: a candidate is accepted only if rapidfuzz's normalised Indel
   similarity of the two normalised texts reaches the threshold, so an LSH false
   positive never merges two different paragraphs.
4. Union-find over exact groups and verified pairs gives the clusters. A cluster's
   id is the index of its earliest text, so ids follow the input order and do not
   depend on the order pairs were found in.

Banding with `b` bands of `r` rows finds a pair of Jaccard similarity `s` with
probability ``1 - (1 - s**r)**b``. `lsh_params` picks the largest `r` (fewest
spurious candidates) whose probability at `lsh_threshold` is still at least
`lsh_recall`; with the defaults (0.5, 0.98, 128 permutations) that is 33 bands of 3
rows: 98.8 % at s = 0.5, 99.98 % at s = 0.7, and a pair at s = 0.1 becomes a
candidate 3 % of the time (verification then rejects it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash
from rapidfuzz.distance import Indel

from .config import Config
from .fingerprints import datasketch_signatures, signatures
from .normalise import shingles, tokens
from .records import ClusterInfo

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
    repeated_clusters: int = 0  #: clusters found on at least `min_repeat_pages` pages
    repeated_paragraphs: int = 0  #: paragraphs in those clusters
    bands: int = 0
    rows: int = 0


def lsh_params(config: Config) -> tuple[int, int]:
    """(bands, rows) for the configured threshold, permutations and recall."""
    if config.bands is not None:
        return config.bands, config.num_perm // config.bands
    t = config.lsh_threshold
    for bands in range(1, config.num_perm + 1):
        rows = config.num_perm // bands
        if 1.0 - (1.0 - t**rows) ** bands >= config.lsh_recall:
            return bands, rows
    return config.num_perm, 1


def _band_keys(sigs: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """One 64-bit key per row for signature columns lo:hi (FNV-style mixing)."""
    key = np.full(len(sigs), 0xCBF29CE484222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(lo, hi):
            key = (key ^ sigs[:, col].astype(np.uint64)) * np.uint64(0x100000001B3)
    return key


def _bucket_pairs(members: np.ndarray) -> np.ndarray:
    n = len(members)
    if n <= MAX_BUCKET_PAIRS_SIZE:
        i, j = np.triu_indices(n, k=1)
        return np.stack([members[i], members[j]], axis=1)
    chain = np.stack([members[:-1], members[1:]], axis=1)
    star = np.stack([np.full(n - 2, members[0]), members[2:]], axis=1)
    return np.concatenate([chain, star])


def band_candidates(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Candidate pairs (i < j), sorted and unique, of rows sharing a band key."""
    found = []
    for band in range(bands):
        keys = _band_keys(sigs, band * rows, (band + 1) * rows)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
        starts = np.concatenate([[0], boundaries])
        ends = np.concatenate([boundaries, [len(keys)]])
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            found.append(_bucket_pairs(np.sort(order[s:e])))
    return _unique_pairs(found)


def datasketch_candidates(sigs: np.ndarray, bands: int, rows: int, config: Config) -> np.ndarray:
    """The same candidates through datasketch's MinHashLSH (reference implementation)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm, params=(bands, rows))
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


class UnionFind:
    """Disjoint sets over 0..n-1 whose representative is always the smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def near_duplicate_pairs(
    texts: Sequence[str], config: Config, stats: ClusterStats | None = None
) -> list[tuple[int, int]]:
    """Verified near-duplicate pairs (i, j) among distinct normalised texts."""
    stats = stats if stats is not None else ClusterStats()
    eligible = []
    shingle_sets = []
    for i, text in enumerate(texts):
        units = tokens(text)
        if len(units) >= config.min_minhash_tokens:
            eligible.append(i)
            shingle_sets.append(shingles(units, config.shingle_size))
    stats.minhashed_texts = len(eligible)
    bands, rows = lsh_params(config)
    stats.bands, stats.rows = bands, rows
    if len(eligible) < 2:
        return []
    if config.backend == "datasketch":
        sigs = datasketch_signatures(shingle_sets, config.num_perm, config.seed)
        candidates = datasketch_candidates(sigs, bands, rows, config)
    else:
        sigs = signatures(shingle_sets, config.num_perm, config.seed)
        candidates = band_candidates(sigs, bands, rows)
    stats.candidate_pairs = len(candidates)
    cutoff = config.threshold
    verified = []
    for i, j in candidates.tolist():
        a, b = texts[eligible[i]], texts[eligible[j]]
        if Indel.normalized_similarity(a, b, score_cutoff=cutoff) >= cutoff:
            verified.append((eligible[i], eligible[j]))
    stats.verified_pairs = len(verified)
    return verified


def cluster_paragraphs(
    normalised: Sequence[str], pages: Sequence[int], config: Config
) -> tuple[list[ClusterInfo], ClusterStats]:
    """Cluster every paragraph; return one ClusterInfo per paragraph, in input order.

    `normalised[k]` is paragraph k's normalised text and `pages[k]` its page. A
    paragraph whose normalised text is empty (only punctuation) matches nothing.
    """
    stats = ClusterStats(paragraphs=len(normalised))
    text_id: dict[str, int] = {}
    distinct: list[str] = []
    group_of = []
    for text in normalised:
        if not text:
            group_of.append(-1)
            continue
        gid = text_id.get(text)
        if gid is None:
            gid = text_id[text] = len(distinct)
            distinct.append(text)
        group_of.append(gid)
    stats.distinct_texts = len(distinct)

    sets = UnionFind(len(distinct))
    for i, j in near_duplicate_pairs(distinct, config, stats):
        sets.union(i, j)

    # cluster -> sorted distinct pages, to count pages and fingerprint the page set
    cluster_pages: dict[int, set[int]] = {}
    cluster_of = []
    for gid, page in zip(group_of, pages):
        cluster = sets.find(gid) if gid >= 0 else -1
        cluster_of.append(cluster)
        if cluster >= 0:
            cluster_pages.setdefault(cluster, set()).add(page)
    summary = {
        cluster: (len(members), xxhash.xxh64_intdigest(np.array(sorted(members), dtype=np.int64).tobytes()))
        for cluster, members in cluster_pages.items()
    }
    infos = []
    singleton = len(distinct)
    for cluster in cluster_of:
        if cluster < 0:
            infos.append(ClusterInfo(cluster=singleton, n_pages=1, pages_hash=singleton))
            singleton += 1
        else:
            n_pages, pages_hash = summary[cluster]
            infos.append(ClusterInfo(cluster=cluster, n_pages=n_pages, pages_hash=pages_hash))
    repeated = {c for c, (n, _) in summary.items() if n >= config.min_repeat_pages}
    stats.repeated_clusters = len(repeated)
    stats.repeated_paragraphs = sum(1 for c in cluster_of if c in repeated)
    return infos, stats
