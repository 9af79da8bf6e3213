"""The fast paths of the cluster stage (sorting instead of np.unique, the first pass's
text files, verification's length bound, connected components in numpy): each gives
exactly what the slower path it replaces gives."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rapidfuzz.distance import Indel

from corpus_clean.dedup import verify as verification
from corpus_clean.dedup.candidates import MAX_BUCKET_PAIRS_SIZE, band_candidates
from corpus_clean.dedup.components import components, find_roots, flatten, join
from corpus_clean.dedup.sorted_sets import unique, unique_first, unique_inverse
from corpus_clean.dedup.verify import verify
from corpus_clean.engine.fingerprint_store import RowStore
from corpus_clean.engine.text_spool import text_folder, write_texts


@pytest.mark.parametrize("n", [0, 1, 2, 17, 5000])
@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int32])
def test_npsets_equal_np_unique(n, dtype):
    rng = np.random.default_rng(n)
    values = rng.integers(0, max(n // 3, 1) + 1, n).astype(dtype)  # many repeats
    expected, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    assert np.array_equal(unique(values), expected)
    got, got_first = unique_first(values)
    assert np.array_equal(got, expected) and np.array_equal(got_first, first)
    got, got_inverse = unique_inverse(values)
    assert np.array_equal(got, expected) and np.array_equal(got_inverse, inverse.ravel())
    assert unique(values).dtype == values.dtype


def test_band_candidates_are_every_pair_sharing_a_band_key():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=(600, 6)).astype(np.uint64)  # crowded buckets, none capped
    assert max(np.unique(keys[:, b], return_counts=True)[1].max() for b in range(6)) <= MAX_BUCKET_PAIRS_SIZE
    pairs = band_candidates(keys)
    brute = {
        (i, j)
        for band in range(keys.shape[1])
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if keys[i, band] == keys[j, band]
    }
    got = set(map(tuple, pairs.tolist()))
    assert got == brute and np.all(pairs[:, 0] < pairs[:, 1])
    assert np.array_equal(pairs, np.unique(pairs, axis=0))  # sorted, unique


@pytest.mark.parametrize("spread", [1, 1000])
@pytest.mark.parametrize("batch", [1_000_000, pytest.param(7, marks=pytest.mark.slow)])  # 7: many rounds
def test_verify_equals_comparing_every_pair(batch, spread, monkeypatch):
    """The length bound skips only pairs that cannot reach the threshold; pairs compared
    in batches give what they give compared at once; ids found by table (dense ids) or
    by binary search (ids spread out, `spread`) alike."""
    monkeypatch.setattr(verification, "VERIFY_BATCH_PAIRS", batch)
    rng = random.Random(5)
    words = "the a news minister said on monday read more about it city council".split()
    texts = []
    for _ in range(300):
        base = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        texts.append(base)
        texts.append(base + " read more" * rng.randint(0, 3))
    pairs = np.array([(i, j) for i in range(0, 200) for j in range(i + 1, 200)], dtype=np.int64)
    for threshold in (0.5, 0.8, 0.95, 1.0):
        brute = [
            (i, j)
            for i, j in pairs.tolist()
            if Indel.normalized_similarity(texts[i], texts[j], score_cutoff=threshold) >= threshold
        ]
        spread_brute = [(i * spread, j * spread) for i, j in brute]
        assert verify(pairs * spread, lambda r: texts[r // spread], threshold) == spread_brute
        assert verify(pairs * spread, lambda r: texts[r // spread], threshold, workers=2) == spread_brute


@pytest.mark.parametrize("spread", [1, 3, 1000])
def test_sample_positions_are_the_binary_search_positions(spread):
    rng = np.random.default_rng(spread)
    ends = unique(rng.integers(0, 5000 * spread, 2000))
    samples = verification.Samples(ends, text_of=str)
    ids = rng.choice(ends, size=(777, 2))
    assert np.array_equal(samples.positions(ids), np.searchsorted(ends, ids))
    # a table only where it is a few times the texts, else it would outgrow them
    assert (samples._where is not None) == (spread < verification._DENSE_SPAN / 2)


def test_text_files_give_back_what_was_written(tmp_path):
    """What the first pass's chunks write is what the row store reads back: odd text,
    an empty file, a key met again in a later file (its first text is kept)."""
    texts_a = ["première ligne", "menu", "éàü ☃ \U0001f600", "lone \udce9 surrogate", ""]
    keys_a = np.array([5, 9, 11, 20, 30], dtype=np.uint64)
    texts_b = ["menu (second file)", "only in b"]
    keys_b = np.array([9, 40], dtype=np.uint64)
    folder = tmp_path / "store"
    folder.mkdir()
    store = RowStore(str(folder))
    for name, keys, texts in (
        ("empty", np.empty(0, dtype=np.uint64), []),
        ("a", keys_a, texts_a),
        ("b", keys_b, texts_b),
    ):
        write_texts(str(tmp_path / name), keys, texts)
        store.add(keys, np.zeros((len(keys), 2), dtype=np.uint64), str(tmp_path / name))
    keys = store.finish()
    assert keys.tolist() == [5, 9, 11, 20, 30, 40]
    assert [store.text(i) for i in range(len(keys))] == [
        "première ligne",
        "menu",
        texts_a[2],
        texts_a[3],
        "",
        "only in b",
    ]
    store.close()


def test_text_folder_is_removed_even_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError), text_folder(tmp_path) as folder:
        write_texts(f"{folder}/x", np.array([1], dtype=np.uint64), ["x"])
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def smallest_of_components(n: int, edges) -> np.ndarray:
    """For each of 0..n-1, the smallest element of its connected component, by walking
    the graph breadth first from each smallest element not yet reached (the reference
    `components` is checked against)."""
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in np.asarray(edges).reshape(-1, 2).tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    out = np.full(n, -1, dtype=np.int64)
    for start in range(n):
        if out[start] >= 0:
            continue
        out[start] = start
        queue = [start]
        while queue:
            node = queue.pop()
            for other in neighbours[node]:
                if out[other] < 0:
                    out[other] = start
                    queue.append(other)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_components_name_each_component_by_its_smallest_element(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    n_edges = int(rng.integers(0, 2 * n))
    edges = rng.integers(0, n, size=(n_edges, 2))
    if seed == 0:  # a long chain in scrambled order: many hops for naive propagation
        chain = rng.permutation(n)
        edges = np.stack([chain[:-1], chain[1:]], axis=1)[rng.permutation(n - 1)]
    assert np.array_equal(components(n, edges), smallest_of_components(n, edges))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("batch", [pytest.param(1, marks=pytest.mark.slow), 7, 500])  # 1: a join per edge
def test_joining_batch_after_batch_gives_the_components(seed, batch):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    edges = rng.integers(0, n, size=(int(rng.integers(0, 2 * n)), 2))
    if seed == 0:  # a long chain in scrambled order
        chain = rng.permutation(n)
        edges = np.stack([chain[:-1], chain[1:]], axis=1)[rng.permutation(n - 1)]
    parent = np.arange(n, dtype=np.int64)
    for lo in range(0, len(edges), batch):
        part = edges[lo : lo + batch]
        roots = find_roots(parent, part)
        assert np.array_equal(roots, components(n, edges[:lo])[part])  # the trees so far
        join(parent, part)
    assert np.array_equal(flatten(parent), components(n, edges))
    assert np.array_equal(parent, components(n, edges))  # flattened in place


def test_components_without_edges_are_singletons():
    assert np.array_equal(components(4, np.empty((0, 2), dtype=np.int64)), np.arange(4))
    assert len(components(0, np.empty((0, 2), dtype=np.int64))) == 0


def test_text_spool_gives_back_each_text_and_stores_it_once(tmp_path, monkeypatch):
    from corpus_clean.engine.text_spool import TextSpool

    monkeypatch.setattr(TextSpool, "WRITE_BYTES", 64)  # many writes, some texts still pending
    spool = TextSpool(tmp_path)
    rng = random.Random(3)
    texts = ["", "première ligne", "éàü ☃ \U0001f600", "lone \udce9 surrogate", "x" * 1000]
    texts += [
        " ".join(rng.choice(["news", "минister", "年", "a"]) for _ in range(rng.randint(1, 40))) for _ in range(300)
    ]
    handles = [spool.put(t) for t in texts]
    again = [spool.put(t) for t in reversed(texts)][::-1]  # equal texts, equal handles
    assert handles == again
    assert len(spool) == len(set(texts))
    assert len(set(handles)) == len(set(texts))
    for handle, text in rng.sample(list(zip(handles, texts)), len(texts)):  # any order, flushed or not
        assert spool.get(handle) == text
    assert list(tmp_path.iterdir()) == []  # anonymous: no file left to clean up, even on a crash
    spool.close()


def test_records_crossing_processes_pickle_back_equal(tmp_path):
    """The records pickled field by field (`pickled_by_fields`) come back equal, of
    their own class, with every field; and no class subclasses them (a subclass
    would come back as its parent)."""
    import datetime
    import pickle
    from pathlib import Path

    from corpus_clean.engine.chunk_work import PageInfo
    from corpus_clean.io.read import InputFile
    from corpus_clean.records import ArticleCopy, DateSource, SkippedFile

    records = [
        InputFile(
            "site/a.txt", Path(tmp_path / "a.txt"), SkippedFile("site/a.txt", "symlink", "why"), url="u", date="d"
        ),
        SkippedFile("b.txt", "empty", "an empty file"),
        ArticleCopy(
            3,
            40,
            "Title",
            datetime.date(2021, 6, 22),
            DateSource.LINE,
            "one\n\ntwo",
            (7, 9),
            ((40, 43), (45, 48)),
            (30, 35),
            True,
            "en",
            "abc",
        ),
        PageInfo(5, "c.txt", 12, "cp1251", 900, 2**63 + 5),
    ]
    for record in records:
        back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(record) and back == record
        assert type(record).__subclasses__() == []
