"""Stage 4a: fingerprints of paragraphs: an exact key, and a MinHash signature.

The MinHash is datasketch's own (scheme "affine32": each shingle's 32-bit hash is
pre-mixed with the MurmurHash3 finalizer, then permuted as ``a * h + b mod 2**32``
with datasketch's seeded parameters), computed for many paragraphs at once with
numpy instead of one Python call per shingle. `datasketch_signatures` computes the
same thing through datasketch itself; tests hold the two equal value for value.

Shingles are hashed with xxHash32, given to both implementations, because it is an
order of magnitude faster than datasketch's default SHA-1 and as well distributed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import xxhash
from datasketch import MinHash

_MAX_HASH = np.uint32(0xFFFFFFFF)
#: Shingles processed per numpy step: bounds the (shingles x permutations) temporary
#: to about 32 MB at 128 permutations.
_CHUNK_SHINGLES = 1 << 16


def exact_key(normalised: str) -> int:
    """64-bit key of a normalised text: equal texts, equal keys."""
    return xxhash.xxh64_intdigest(normalised.encode("utf-8"))


def shingle_hash(shingle: bytes) -> int:
    """The 32-bit hash every shingle goes through (also given to datasketch)."""
    return xxhash.xxh32_intdigest(shingle)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for these settings, as uint32."""
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(shingle_sets: Sequence[Sequence[str]], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures, one row per shingle list: shape (len(shingle_sets), num_perm), uint32.

    An empty shingle list gets the all-max signature (as an empty datasketch MinHash).
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingle_sets), num_perm), _MAX_HASH, dtype=np.uint32)
    counts = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    hashes = np.fromiter(
        (shingle_hash(s.encode("utf-8")) for shingles in shingle_sets for s in shingles),
        dtype=np.uint32,
        count=int(counts.sum()),
    )
    hashes = _fmix32(hashes)
    ends = np.cumsum(counts)
    starts = ends - counts
    row = 0
    with np.errstate(over="ignore"):
        while row < len(shingle_sets):
            # take whole rows until the chunk holds about _CHUNK_SHINGLES shingles
            stop = int(np.searchsorted(ends, starts[row] + _CHUNK_SHINGLES, side="right"))
            stop = max(stop, row + 1)
            rows = np.arange(row, stop)
            rows = rows[counts[rows] > 0]
            if len(rows):
                lo, hi = int(starts[rows[0]]), int(ends[rows[-1]])
                permuted = hashes[lo:hi, None] * a[None, :] + b[None, :]
                out[rows] = np.minimum.reduceat(permuted, starts[rows] - lo, axis=0)
            row = stop
    return out


def datasketch_signatures(shingle_sets: Sequence[Sequence[str]], num_perm: int, seed: int) -> np.ndarray:
    """The same signatures through datasketch's MinHash, one object per paragraph (reference)."""
    out = np.empty((len(shingle_sets), num_perm), dtype=np.uint32)
    for i, shingles in enumerate(shingle_sets):
        minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        out[i] = minhash.hashvalues
    return out
