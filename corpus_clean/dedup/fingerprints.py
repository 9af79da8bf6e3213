"""Fingerprints of paragraphs: an exact key, a MinHash signature, LSH band keys.

Shingle hashes. Each token is hashed with xxHash32 of its UTF-8 bytes, and the hash
of a shingle of k tokens is the polynomial ``t1*P**(k-1) + ... + tk (mod 2**32)`` of
its token hashes, computed for a whole batch of paragraphs with numpy: the batch's
tokens are byte spans of its text (`token_spans`), hashed all at once by XXH32 written
in numpy (`xxh32_spans`), with no Python object per token. `shingle_hash` computes
the same value from a shingle's text, one at a time; it is what datasketch is given
in the reference path, so both paths hash every shingle identically.

MinHash. The signature is datasketch's own (scheme "affine32": each shingle hash is
pre-mixed with the MurmurHash3 finalizer, then permuted as ``a * h + b mod 2**32``
with datasketch's seeded parameters), computed for many paragraphs at once with
numpy instead of one Python call per shingle. `datasketch_signatures` computes it
through datasketch itself; tests hold the two equal value for value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import xxhash

_MAX_HASH = np.uint32(0xFFFFFFFF)
#: Texts fingerprinted per numpy batch: bounds the memory of token lists.
_BATCH_TEXTS = 4096
#: Multiplier combining token hashes into a shingle hash (odd, so no bit is lost).
_SHINGLE_MULTIPLIER = 0x9E3779B1


def exact_key(normalised: str) -> int:
    """64-bit key of a normalised text: equal texts, equal keys."""
    return xxhash.xxh64_intdigest(normalised.encode("utf-8"))


def shingle_hash(shingle: bytes) -> int:
    """Hash of one shingle given as its tokens joined by spaces (the reference path)."""
    h = 0
    for token in shingle.decode("utf-8").split(" "):
        h = (h * _SHINGLE_MULTIPLIER + xxhash.xxh32_intdigest(token.encode("utf-8"))) & 0xFFFFFFFF
    return h


_PRIME1, _PRIME2, _PRIME3, _PRIME4, _PRIME5 = (
    np.uint32(p) for p in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1)
)
#: Spans longer than this are hashed by xxhash itself, one at a time: bounds the
#: numpy passes over 16-byte stripes (words are far shorter).
_LONG_SPAN = 256


def _rotl(x: np.ndarray, r: int, scratch: np.ndarray) -> np.ndarray:
    """`x` rotated left by `r` bits, in place (`scratch`: an array of its shape to spoil)."""
    np.right_shift(x, np.uint32(32 - r), out=scratch)
    np.left_shift(x, np.uint32(r), out=x)
    x |= scratch
    return x


def _stripes(words: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """XXH32's state after the 16-byte stripes of spans of at least 16 bytes."""
    lanes = [_PRIME1 + _PRIME2, _PRIME2, np.uint32(0), np.uint32(0) - _PRIME1]
    v = [np.full(len(starts), lane, dtype=np.uint32) for lane in lanes]
    count = lengths >> np.uint32(4)
    for k in range(int(count.max())):
        active = np.flatnonzero(count > k)  # only the spans with a k-th stripe: no read past one
        at = starts[active]
        for j in range(4):
            lane = v[j][active]
            word = words[at + (16 * k + 4 * j)]
            word *= _PRIME2
            lane += word
            v[j][active] = _rotl(lane, 13, word) * _PRIME1
    scratch = np.empty_like(v[0])
    return _rotl(v[0], 1, scratch) + _rotl(v[1], 7, scratch) + _rotl(v[2], 12, scratch) + _rotl(v[3], 18, scratch)


def xxh32_spans(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """xxHash32 (seed 0) of each byte span ``buf[starts[i]:ends[i]]``, as uint32: the
    algorithm of xxhash's XXH32 run over all the spans at once, each step only over the
    spans long enough for it. `buf` must have 3 readable bytes past the last span."""
    lengths = (ends - starts).astype(np.uint32)
    # the little-endian 32-bit word starting at any byte (an unaligned, overlapping view)
    words = np.ndarray(len(buf) - 3, dtype="<u4", buffer=buf, strides=(1,))
    h = np.full(len(starts), _PRIME5, dtype=np.uint32)
    with np.errstate(over="ignore"):
        striped = np.flatnonzero((lengths >= 16) & (lengths <= _LONG_SPAN))
        if len(striped):
            h[striped] = _stripes(words, starts[striped], lengths[striped])
        h += lengths
        rest = lengths & np.uint32(15)
        at = starts + (lengths - rest)
        for k in range(3):  # the 4-byte words left
            active = np.flatnonzero(rest >= 4 * (k + 1))
            x = h[active]
            word = words[at[active] + 4 * k]
            word *= _PRIME3
            x += word
            h[active] = _rotl(x, 17, word) * _PRIME4
        at += rest & np.uint32(12)
        rest &= np.uint32(3)
        for k in range(3):  # the bytes left
            active = np.flatnonzero(rest > k)
            x = h[active]
            byte = buf[at[active] + k].astype(np.uint32)
            byte *= _PRIME5
            x += byte
            h[active] = _rotl(x, 11, byte) * _PRIME1
        scratch = np.empty_like(h)
        for shift, prime in ((15, _PRIME2), (13, _PRIME3), (16, None)):
            np.right_shift(h, np.uint32(shift), out=scratch)
            h ^= scratch
            if prime is not None:
                h *= prime
    for i in np.flatnonzero(lengths > _LONG_SPAN).tolist():
        h[i] = xxhash.xxh32_intdigest(buf[starts[i] : ends[i]].tobytes())
    return h


def shingle_hashes(flat: np.ndarray, lengths: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many paragraphs at once, given as their token hashes one after
    another (`flat`, uint32) and how many each has (`lengths`): (flat uint32 hashes,
    count per paragraph).

    A paragraph of n >= size tokens has n - size + 1 shingles; a shorter non-empty one
    has a single shingle of all its tokens; an empty one has none.
    """
    starts = np.cumsum(lengths) - lengths
    counts = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    multiplier = np.uint32(_SHINGLE_MULTIPLIER)
    with np.errstate(over="ignore"):
        # window hashes over the flat array; windows crossing paragraphs are never selected
        full = len(flat) - size + 1
        window = np.zeros(max(full, 0), dtype=np.uint32)
        for offset in range(size):
            window = window * multiplier + flat[offset : offset + max(full, 0)]
        first = np.repeat(starts, counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        long_enough = np.repeat(lengths >= size, counts)
        out = np.empty(int(counts.sum()), dtype=np.uint32)
        out[long_enough] = window[(first + within)[long_enough]]
        # short paragraphs: one shingle over all their tokens
        for i in np.flatnonzero((lengths > 0) & (lengths < size)):
            h = np.uint32(0)
            for value in flat[starts[i] : starts[i] + lengths[i]]:
                h = h * multiplier + value
            out[np.cumsum(counts)[i] - 1] = h
    return out, counts


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for these settings (its default scheme,
    "affine32"), as uint32.

    Drawn as datasketch draws them (a numpy RandomState seeded with `seed`; `num_perm`
    odd multipliers, then `num_perm` offsets), so that datasketch itself, and the scipy
    it imports (50 MB in every worker process), is loaded only by the datasketch
    backend; a test holds the two equal."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures_from_hashes(
    hashes: np.ndarray, counts: np.ndarray, num_perm: int, seed: int, columns: int | None = None
) -> np.ndarray:
    """MinHash signatures from flat shingle hashes: shape (len(counts), columns), uint32.

    `columns` (default: all `num_perm`) computes only the first permutations, when only
    those are used (LSH bands rarely cover all of them). A paragraph without shingles
    gets the all-max signature (as an empty datasketch MinHash).
    """
    a, b = permutations(num_perm, seed)
    columns = num_perm if columns is None else columns
    # one row per permutation while filling (each written whole), transposed at the end
    out = np.full((columns, len(counts)), _MAX_HASH, dtype=np.uint32)
    present = np.flatnonzero(counts > 0)
    if not len(present):
        return out.T.copy()
    starts = (np.cumsum(counts) - counts)[present]
    mixed = _fmix32(hashes)
    permuted = np.empty_like(mixed)
    # one permutation at a time over every shingle: contiguous, cache-friendly passes
    # (far faster than one (shingles x permutations) array reduced along rows)
    with np.errstate(over="ignore"):
        for k in range(columns):
            np.multiply(mixed, a[k], out=permuted)
            np.add(permuted, b[k], out=permuted)
            if len(present) == len(counts):
                np.minimum.reduceat(permuted, starts, out=out[k])
            else:
                out[k, present] = np.minimum.reduceat(permuted, starts)
    return out.T.copy()


def signatures(shingle_sets: Sequence[Sequence[str]], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures of shingle lists (shingles as space-joined tokens)."""
    counts = np.fromiter(map(len, shingle_sets), dtype=np.int64, count=len(shingle_sets))
    flat = [shingle_hash(s.encode("utf-8")) for shingles in shingle_sets for s in shingles]
    return signatures_from_hashes(np.array(flat, dtype=np.uint32), counts, num_perm, seed)


def datasketch_signatures(shingle_sets: Sequence[Sequence[str]], num_perm: int, seed: int) -> np.ndarray:
    """The same signatures through datasketch's MinHash, one object per paragraph (reference)."""
    from datasketch import MinHash

    out = np.empty((len(shingle_sets), num_perm), dtype=np.uint32)
    for i, shingles in enumerate(shingle_sets):
        minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        out[i] = minhash.hashvalues
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (paragraph, band): shape (len(sigs), bands), uint64 (FNV-style mixing).

    Two signatures agree on a whole band exactly when their keys for it are equal
    (up to 64-bit collisions, which verification would reject anyway).
    """
    keys = np.full((len(sigs), bands), 0xCBF29CE484222325, dtype=np.uint64)
    # every band at once, one row of each band per step
    banded = sigs[:, : bands * rows].reshape(len(sigs), bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys ^= banded[:, :, row]
            keys *= np.uint64(0x100000001B3)
    return keys


def lsh_params(config) -> tuple[int, int]:
    """(bands, rows) for the configured LSH Jaccard target, permutations and recall.

    Banding with `b` bands of `r` rows finds a pair of Jaccard similarity `s` with
    probability ``1 - (1 - s**r)**b``; this picks the largest `r` (fewest spurious
    candidates) whose probability at `config.lsh_threshold` is still at least
    `config.lsh_recall`.
    """
    if config.bands is not None:
        return config.bands, config.num_perm // config.bands
    t = config.lsh_threshold
    for bands in range(1, config.num_perm + 1):
        rows = config.num_perm // bands
        if 1.0 - (1.0 - t**rows) ** bands >= config.lsh_recall:
            return bands, rows
    return config.num_perm, 1


def fingerprint_rows(normalised: Sequence[str], config) -> tuple[np.ndarray, np.ndarray]:
    """Fingerprints of normalised texts: (eligible mask, one row per eligible text).

    Texts with fewer than `config.min_minhash_tokens` tokens, and numbers (texts of
    digits only, see `normalise_for_dedup`), are not eligible: they are matched
    exactly only. A row holds the LSH band keys (numpy backend) or the whole
    MinHash signature (datasketch backend, whose MinHashLSH does its own banding).
    """
    from ..text.normalise import shingles, token_spans, tokens

    bands, rows = lsh_params(config)
    eligible = np.zeros(len(normalised), dtype=bool)
    parts = []
    # in batches, so that the token arrays of a huge page never sit in memory at once
    for lo in range(0, len(normalised), _BATCH_TEXTS):
        batch = normalised[lo : lo + _BATCH_TEXTS]
        numbers = np.fromiter(map(str.isdigit, batch), dtype=bool, count=len(batch))
        if config.backend == "datasketch":
            token_lists = [tokens(text) for text in batch]
            ok = np.fromiter(map(len, token_lists), np.int64, len(batch)) >= config.min_minhash_tokens
            ok &= ~numbers
            eligible[lo : lo + len(batch)] = ok
            sets = [shingles(t, config.shingle_size) for t, keep in zip(token_lists, ok.tolist()) if keep]
            parts.append(datasketch_signatures(sets, config.num_perm, config.seed))
            continue
        buf, starts, ends, lengths = token_spans(batch)
        ok = (lengths >= config.min_minhash_tokens) & ~numbers
        eligible[lo : lo + len(batch)] = ok
        chosen = np.repeat(ok, lengths)
        flat = xxh32_spans(buf, starts[chosen], ends[chosen])
        hashes, counts = shingle_hashes(flat, lengths[ok], config.shingle_size)
        sigs = signatures_from_hashes(hashes, counts, config.num_perm, config.seed, columns=bands * rows)
        parts.append(band_keys(sigs, bands, rows))
    if not parts:
        width = config.num_perm if config.backend == "datasketch" else bands
        dtype = np.uint32 if config.backend == "datasketch" else np.uint64
        return eligible, np.empty((0, width), dtype=dtype)
    return eligible, np.concatenate(parts)
