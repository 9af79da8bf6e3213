"""Stage 4a: the batched MinHash is datasketch's MinHash, value for value."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import seed_texts
from datasketch import MinHash

from corpus_clean.dedup.fingerprints import datasketch_signatures, permutations, shingle_hash, signatures
from corpus_clean.text.normalise import normalise_for_dedup, shingles, tokens


def seed_paragraph_shingles() -> list[list[str]]:
    lines = [line for text in seed_texts().values() for line in text.splitlines() if line.strip()]
    return [shingles(tokens(normalise_for_dedup(line)), 3) for line in lines]


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 7), (256, 42)])
def test_signatures_equal_datasketch(num_perm, seed):
    sets = seed_paragraph_shingles()
    assert np.array_equal(signatures(sets, num_perm, seed), datasketch_signatures(sets, num_perm, seed))


def test_signatures_equal_datasketch_across_chunk_boundaries():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(500)]
    # some long paragraphs so that several numpy chunks are needed, and empty ones between
    sets = [shingles(rng.choices(words, k=rng.choice([0, 5, 40, 3000])), 3) for _ in range(120)]
    assert np.array_equal(signatures(sets, 128, 1), datasketch_signatures(sets, 128, 1))


def test_empty_shingle_list_matches_an_empty_minhash():
    (row,) = signatures([[]], 128, 1)
    assert np.array_equal(row, MinHash(num_perm=128, seed=1).hashvalues)


def test_estimates_follow_true_jaccard():
    """Signature agreement estimates the shingle-set Jaccard within sampling error."""
    rng = random.Random(11)
    vocab = [f"t{i}" for i in range(5000)]
    errors = []
    for _ in range(200):
        base = set(rng.sample(vocab, 300))
        other = set(rng.sample(sorted(base), rng.randint(30, 300))) | set(rng.sample(vocab, rng.randint(0, 300)))
        a, b = sorted(base), sorted(other)
        sig = signatures([a, b], 128, 1)
        estimate = float(np.mean(sig[0] == sig[1]))
        true = len(base & other) / len(base | other)
        errors.append(estimate - true)
    errors = np.array(errors)
    # the standard error of one estimate is at most 0.5 / sqrt(128) = 0.044
    assert abs(errors.mean()) < 0.01
    assert np.abs(errors).max() < 5 * 0.044


def test_shingle_hash_is_xxh32():
    assert shingle_hash(b"go back") == shingle_hash(b"go back") != shingle_hash(b"go black")
    assert 0 <= shingle_hash(b"x") < 2**32


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 0), (2, 42)])
def test_permutations_are_datasketchs_without_importing_it(num_perm, seed):
    a, b = permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed).permutations
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])
    assert a.dtype == b.dtype == np.uint32


def test_the_default_pipeline_does_not_load_datasketch():
    """datasketch (and the scipy it imports) is for the reference backend only: 50 MB
    more in every worker process otherwise."""
    code = (
        "import sys, corpus_clean.cli.app, corpus_clean.engine.local as p;"
        "from corpus_clean.config import Config;"
        "list(p.clean(['seeds'], Config(jobs=1)));"
        "print('datasketch' in sys.modules, 'scipy' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_fingerprint_rows_are_the_band_keys_of_datasketchs_signatures(monkeypatch):
    """The numpy path hashes a whole batch's tokens in one pass: each text's band keys
    must still be those of its own datasketch MinHash, across batch boundaries too."""
    from corpus_clean.config import Config
    from corpus_clean.dedup import fingerprints

    lines = [line for text in seed_texts().values() for line in text.splitlines() if line.strip()]
    lines += [
        "tel +7 495 621 33 23 ext 12",
        "2024",
        "東京都で新しい図書館が開館しました 今日",
        "a b",
        "one two three four five",
    ]
    texts = [t for t in dict.fromkeys(normalise_for_dedup(line) for line in lines) if t]
    config = Config()
    bands, rows = fingerprints.lsh_params(config)
    monkeypatch.setattr(fingerprints, "_BATCH_TEXTS", 7)
    eligible, keys = fingerprints.fingerprint_rows(texts, config)
    chosen = [t for t, ok in zip(texts, eligible) if ok]
    assert 0 < len(chosen) < len(texts)
    sets = [shingles(tokens(t), config.shingle_size) for t in chosen]
    expected = fingerprints.band_keys(datasketch_signatures(sets, config.num_perm, config.seed), bands, rows)
    assert np.array_equal(keys, expected)


@pytest.mark.parametrize("bands, rows, width", [(33, 3, 99), (42, 3, 128), (16, 8, 128), (1, 1, 1)])
def test_band_keys_mix_each_bands_values_in_order(bands, rows, width):
    """All bands are mixed at once: each key must still be the FNV-style mix of its own
    band's values, in column order (columns past the last band ignored)."""
    from corpus_clean.dedup.fingerprints import band_keys

    sigs = np.random.default_rng(width).integers(0, 1 << 32, (6, width), dtype=np.uint64).astype(np.uint32)
    expected = []
    for sig in sigs.tolist():
        row_keys = []
        for band in range(bands):
            key = 0xCBF29CE484222325
            for value in sig[band * rows : (band + 1) * rows]:
                key = ((key ^ value) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
            row_keys.append(key)
        expected.append(row_keys)
    assert band_keys(sigs, bands, rows).tolist() == expected


def test_xxh32_spans_is_xxhash_of_each_span():
    """The batch hash runs XXH32 itself in numpy: every length (the 4-byte words, the
    tail bytes, the 16-byte stripes, the long spans left to xxhash) must give its value."""
    import xxhash

    from corpus_clean.dedup.fingerprints import _LONG_SPAN, xxh32_spans
    from corpus_clean.text.normalise import TOKEN_BYTES_PADDING

    rng = random.Random(8)
    data = bytes(rng.randrange(256) for _ in range(4000))
    spans = [(s, s + n) for n in [*range(70), _LONG_SPAN - 1, _LONG_SPAN, _LONG_SPAN + 1, 1000] for s in (0, 1, 7)]
    spans.append((len(data) - 5, len(data)))  # the last bytes: words read past them fall in the padding
    buf = np.frombuffer(data + bytes(TOKEN_BYTES_PADDING), dtype=np.uint8)
    starts, ends = (np.array(column, dtype=np.int64) for column in zip(*spans))
    assert xxh32_spans(buf, starts, ends).tolist() == [xxhash.xxh32_intdigest(data[s:e]) for s, e in spans]


def test_fingerprint_rows_of_every_script_are_datasketchs(monkeypatch):
    """The whole-batch path (tokens as byte spans, XXH32 in numpy) against datasketch
    fed with `tokens` text by text: digits of several scripts, ideographs (astral ones
    too), long words, texts just long enough and too short, numbers."""
    from corpus_clean.config import Config
    from corpus_clean.dedup import fingerprints

    texts = [
        "tel 74956 covid19 3rd 2024г and more words here",
        "улица ленина 12 кв 3а дом 7 подъезд 2 этаж",
        "\u0661\u0662 items \u0967\u0968\u0969 and \uff11 \U0001e951 in the list",
        "東京都で新しい図書館が開館しました 今日 2024年",
        "ภาษาไทย ๑๒ abc def",
        "\U00020000\U0002a6d6x \U0001f600smile one two three",
        "one two three four five",
        "one two three four",
        "74956213323",
        "pneumonoultramicroscopicsilicovolcanoconiosis " * 3 + "x" * 300 + " end",
        "слово " * 40,
        "a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9",
    ]
    config = Config()
    bands, rows = fingerprints.lsh_params(config)
    monkeypatch.setattr(fingerprints, "_BATCH_TEXTS", 5)
    eligible, keys = fingerprints.fingerprint_rows(texts, config)
    expected_eligible = [len(tokens(t)) >= config.min_minhash_tokens and not t.isdigit() for t in texts]
    assert eligible.tolist() == expected_eligible
    chosen = [t for t, ok in zip(texts, expected_eligible) if ok]
    sets = [shingles(tokens(t), config.shingle_size) for t in chosen]
    expected = fingerprints.band_keys(datasketch_signatures(sets, config.num_perm, config.seed), bands, rows)
    assert np.array_equal(keys, expected)
