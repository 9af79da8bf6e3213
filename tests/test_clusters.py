"""Stage 4b: near-duplicate paragraphs found by MinHash + LSH and verified by rapidfuzz."""

from __future__ import annotations

import itertools
import os
import random

import numpy as np
import pytest

from corpus_clean import Config
from corpus_clean.dedup.candidates import band_candidates, datasketch_candidates
from corpus_clean.dedup.clusters import ClusterStats, cluster_corpus, near_duplicate_pairs
from corpus_clean.dedup.fingerprints import band_keys, exact_key, fingerprint_rows, lsh_params, signatures
from corpus_clean.dedup.sorted_sets import unique
from corpus_clean.records import ClusterInfo
from corpus_clean.text.normalise import normalise_for_dedup, shingles, tokens

TEASER = (
    "The Secretary General took part in the debate on cooperation with regional organizations, "
    "held on 19 July at the Security Council in New York."
)


def cluster_paragraphs(
    normalised: list[str], pages: list[int], config: Config, page_groups: list[int] | None = None
) -> tuple[list[ClusterInfo], ClusterStats]:
    """Cluster a small corpus of normalised paragraphs through `cluster_corpus`, as the
    pipeline does: one ClusterInfo per paragraph, in input order (page counts within each
    page's group, when `page_groups` gives one per page)."""
    keys = np.fromiter((exact_key(t) for t in normalised), dtype=np.uint64, count=len(normalised))
    empty = np.fromiter((not t for t in normalised), dtype=bool, count=len(normalised))
    text_of = {int(k): t for k, t in zip(keys, normalised)}
    row_keys = unique(keys[~empty])
    eligible, rows = fingerprint_rows([text_of[int(k)] for k in row_keys], config)
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
    return arrays.infos(), stats


def same_cluster(a: str, b: str, **overrides) -> bool:
    infos, _ = cluster_paragraphs([normalise_for_dedup(a), normalise_for_dedup(b)], [0, 1], Config(**overrides))
    return infos[0].cluster == infos[1].cluster


@pytest.mark.parametrize(
    "variant",
    [
        TEASER + " Read more",
        TEASER.replace("debate", "discussion"),
        TEASER.replace("New York", "New York City"),
        TEASER.replace("19 July", "19th of July"),
    ],
)
def test_near_repeats_are_one_cluster(variant):
    assert normalise_for_dedup(variant) != normalise_for_dedup(TEASER)  # exact hashing misses it
    assert same_cluster(TEASER, variant)


@pytest.mark.parametrize("variant", [TEASER.upper(), TEASER.replace(",", "").replace(".", "!"), "  " + TEASER])
def test_case_punctuation_and_spacing_are_caught_by_the_exact_pass(variant):
    assert normalise_for_dedup(variant) == normalise_for_dedup(TEASER)
    assert same_cluster(TEASER, variant)


def test_phone_numbers_written_differently_are_one_cluster():
    assert same_cluster("+7 495-621-33-23", "+7495-621-33-23 -tel")
    assert same_cluster("+7\u00a0495-621-33-23", "+7495-621-33-23")


def test_different_paragraphs_stay_apart():
    other = (
        "The Secretary General met the foreign minister to discuss the preparations for the summit "
        "to be held in Minsk in November."
    )
    assert not same_cluster(TEASER, other)
    assert not same_cluster("+7 495-621-33-23", "+7 495-795-27-10")


def test_short_lines_match_only_exactly():
    assert same_cluster("Go back", "go back!")
    assert not same_cluster("Go back", "Go black")
    infos, stats = cluster_paragraphs(["go back", "go black"], [0, 1], Config())
    assert stats.minhashed_texts == 0


def test_lsh_false_positives_are_rejected_by_verification():
    """With one row per band almost every pair is a candidate: verification must reject them."""
    rng = random.Random(5)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron".split()
    texts = [" ".join(rng.choices(words, k=20)) for _ in range(40)]
    texts += [texts[0] + " omega", texts[1].replace(" ", " and ", 1)]  # two true near-duplicates
    stats = ClusterStats()
    pairs = near_duplicate_pairs(texts, Config(bands=128), stats)
    assert stats.candidate_pairs > 50
    assert sorted(pairs) == [(0, 40), (1, 41)]
    assert stats.verified_pairs == 2


def test_numpy_banding_finds_the_same_candidates_as_datasketch_lsh():
    rng = random.Random(8)
    vocab = [f"w{i}" for i in range(300)]
    base = [rng.choices(vocab, k=30) for _ in range(60)]
    texts = base + [b[:-1] + ["changed"] for b in base] + [rng.choices(vocab, k=30) for _ in range(60)]
    sets = [shingles(t, 3) for t in texts]
    sigs = signatures(sets, 128, 1)
    config = Config()
    bands, rows = lsh_params(config)
    ours = band_candidates(band_keys(sigs, bands, rows))
    reference = datasketch_candidates(sigs, config)
    assert len(ours) >= 60
    assert np.array_equal(ours, reference)


def test_backends_give_the_same_clusters():
    rng = random.Random(2)
    vocab = [f"w{i}" for i in range(200)]
    texts = [" ".join(rng.choices(vocab, k=25)) for _ in range(50)]
    texts += [t + " read more" for t in texts[:25]]
    pages = list(range(len(texts)))
    fast, _ = cluster_paragraphs(texts, pages, Config())
    reference, _ = cluster_paragraphs(texts, pages, Config(backend="datasketch"))
    assert fast == reference
    assert len({i.cluster for i in fast}) == 50


@pytest.mark.parametrize("lsh_threshold", [0.4, 0.5, 0.8])
def test_lsh_params_reach_the_recall_target_with_the_fewest_bands(lsh_threshold):
    config = Config(lsh_threshold=lsh_threshold)
    bands, rows = lsh_params(config)
    assert bands * rows <= config.num_perm
    assert 1 - (1 - lsh_threshold**rows) ** bands >= config.lsh_recall
    fewer = bands - 1
    if fewer:
        rows_fewer = config.num_perm // fewer
        assert 1 - (1 - lsh_threshold**rows_fewer) ** fewer < config.lsh_recall


def test_one_changed_word_in_a_short_teaser_is_found():
    """3-shingle Jaccard is about 0.7 here: LSH must still propose the pair."""
    a = "Лесопожарный центр края завершил подготовку к сезону. Проверено более 200 единиц техники."
    b = a.replace("более", "свыше")
    ta, tb = (set(shingles(tokens(normalise_for_dedup(t)), 3)) for t in (a, b))
    assert len(ta & tb) / len(ta | tb) < 0.8
    assert same_cluster(a, b)


def test_cluster_ids_and_page_counts():
    texts = ["go back", "menu", "go back", "go back", "unique text here", ""]
    pages = [0, 0, 1, 1, 2, 2]
    infos, stats = cluster_paragraphs(texts, pages, Config())
    assert infos[0].cluster == infos[2].cluster == infos[3].cluster
    assert len({infos[0].cluster, infos[1].cluster, infos[4].cluster, infos[5].cluster}) == 4
    assert infos[0].n_pages == 2  # twice on page 1 counts once
    assert infos[0].n_paragraphs == 3
    assert infos[1].n_pages == infos[4].n_pages == 1
    assert infos[5].n_pages == 1 and infos[5].n_paragraphs == 1  # empty text: alone
    assert stats.repeated_clusters == 1 and stats.repeated_paragraphs == 3


def test_pages_hash_tells_page_sets_apart():
    texts = ["alpha", "beta", "gamma", "alpha", "beta", "gamma", "alpha"]
    pages = [0, 0, 0, 1, 1, 2, 2]
    infos, _ = cluster_paragraphs(texts, pages, Config())
    alpha, beta, gamma = infos[0], infos[1], infos[2]
    assert alpha.n_pages == 3 and beta.n_pages == 2 and gamma.n_pages == 2
    assert beta.pages_hash != gamma.pages_hash  # {0, 1} and {0, 2}
    assert infos[4].pages_hash == beta.pages_hash


def test_cluster_ids_do_not_depend_on_order():
    a = "one two three four five six seven eight nine ten eleven twelve"
    texts = [a, "x y z", a + " thirteen", "thirteen " + a]
    infos, _ = cluster_paragraphs(texts, [0, 1, 2, 3], Config())
    assert infos[0].cluster == infos[2].cluster == infos[3].cluster != infos[1].cluster
    backwards, _ = cluster_paragraphs(texts[::-1], [3, 2, 1, 0], Config())
    assert [i.cluster for i in backwards[::-1]] == [i.cluster for i in infos]


def test_an_oversized_lsh_bucket_is_linked_as_a_chain_and_reported():
    from corpus_clean.dedup.candidates import MAX_BUCKET_PAIRS_SIZE, band_candidates
    from corpus_clean.dedup.clusters import ClusterStats

    n = MAX_BUCKET_PAIRS_SIZE + 36
    keys = np.zeros((n, 2), dtype=np.uint64)  # band 0: one bucket of n texts
    keys[:, 1] = np.arange(n)  # band 1: all apart
    stats = ClusterStats()
    pairs = band_candidates(keys, stats)
    assert len(pairs) == 2 * n - 3  # a chain and a star: connected, linear in n
    assert stats.capped_buckets == 1 and stats.capped_pairs == n * (n - 1) // 2 - (2 * n - 3)
    small = band_candidates(keys[:10], ClusterStats())
    assert len(small) == 45


def test_buckets_of_settled_rows_only_are_skipped_and_no_other_pair_is_lost():
    from corpus_clean.dedup.candidates import band_candidates

    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=(500, 6)).astype(np.uint64)  # many shared buckets
    settled = rng.random(500) < 0.7
    every = band_candidates(keys)
    wanted = every[~(settled[every[:, 0]] & settled[every[:, 1]])]
    got = band_candidates(keys, settled=settled)
    got = got[~(settled[got[:, 0]] & settled[got[:, 1]])]
    assert len(wanted) > 100 and np.array_equal(got, wanted)
    assert len(band_candidates(keys, settled=np.ones(500, dtype=bool))) == 0


def _pairs_sharing_a_key(keys: np.ndarray) -> np.ndarray:
    """Every pair (i < j) of rows with an equal key in some band, by brute force."""
    found = set()
    for band in range(keys.shape[1]):
        rows_of: dict[int, list[int]] = {}
        for row, key in enumerate(keys[:, band].tolist()):
            rows_of.setdefault(key, []).append(row)
        found.update((i, j) for rows in rows_of.values() for i in rows for j in rows if i < j)
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


@pytest.mark.parametrize("n", [40, 900])
def test_band_keys_differing_only_in_their_low_bits_stay_apart(n):
    """Buckets are found by sorting keys with the row number in their low bits: keys
    equal but for those bits (interleaved by row number in that sort) are still apart,
    and equal keys still together."""
    rng = np.random.default_rng(n)
    high = rng.integers(0, 30, size=(n, 4)).astype(np.uint64) << np.uint64(50)
    keys = high | rng.integers(0, 4, size=(n, 4)).astype(np.uint64)  # low bits: 4 values
    keys[:, 3] = rng.integers(0, 1 << 63, size=n, dtype=np.uint64)  # and a band of random keys
    expected = _pairs_sharing_a_key(keys)
    assert len(expected) > 0
    assert np.array_equal(band_candidates(keys), expected)


def test_pairs_are_verified_alike_one_by_one_and_one_text_against_several():
    """Pairs sharing a text are compared as that text against the others (on one thread,
    or shared out among two): the same pairs pass as when each pair is compared alone,
    whatever order the pairs come in (by row, or by where their texts lie in a file)."""
    from rapidfuzz.distance import Indel

    from corpus_clean.dedup.verify import GROUP_PAIRS, Samples

    rng = random.Random(4)
    words = "river bridge town hall road market school north south old new station".split()
    base = [" ".join(rng.choices(words, k=rng.choice([3, 12, 40]))) for _ in range(30)]
    texts = base + [t.replace(" ", " и ", 1) + " ещё" for t in base] + [t[: len(t) // 2] for t in base]
    ids = np.arange(len(texts)) * 3  # ids need not be 0..n-1
    pairs = np.array([(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts)) if rng.random() < 0.3])
    pairs = ids[pairs]
    assert np.bincount(pairs[:, 0]).max() >= 2 * GROUP_PAIRS  # some texts are the first of many pairs
    text_of = dict(zip(ids.tolist(), texts))
    expected = np.array([Indel.normalized_similarity(text_of[a], text_of[b]) >= 0.8 for a, b in pairs.tolist()])
    assert 0 < expected.sum() < len(pairs)
    for workers in (1, 2):
        for order in (np.arange(len(pairs)), np.random.default_rng(1).permutation(len(pairs))):
            samples = Samples(ids, texts_of=lambda rows: [text_of[r] for r in rows.tolist()])
            assert np.array_equal(samples.similar(pairs[order], 0.8, workers), expected[order])


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("batch", [1, 3, 250_000])
def test_clusters_are_the_components_of_every_verified_pair(monkeypatch, batch, jobs):
    """Pairs whose texts are already joined are not compared: the clusters must still be
    those of all candidate pairs verified one by one, in a chain of edits where the ends
    are too far apart to verify directly and a clique of near-copies, whether the pairs
    are verified on one thread or two."""
    from corpus_clean.dedup import clusters
    from corpus_clean.dedup.components import components

    monkeypatch.setattr(clusters, "JOIN_BATCH_PAIRS", batch)
    rng = random.Random(6)
    words = "harbour council budget library tram museum park bridge festival school".split()
    texts = []
    for _ in range(6):
        story = rng.choices(words, k=30)
        texts.append(" ".join(story))
        for step in range(1, 6):  # each a few words on from the last: the chain's ends differ a lot
            story = story[:]
            for at in rng.sample(range(len(story)), 3):
                story[at] = rng.choice(words)
            texts.append(" ".join(story) + f" {step}")
    texts = list(dict.fromkeys(texts))
    config = Config(bands=64, jobs=jobs)  # many candidates, most rejected
    verified = near_duplicate_pairs(texts, config)
    expected = components(len(texts), np.array(verified, dtype=np.int64).reshape(-1, 2))
    infos, stats = cluster_paragraphs(texts, list(range(len(texts))), config)
    got = [i.cluster for i in infos]

    def first_of_group(labels) -> list[int]:
        first: dict[int, int] = {}
        return [first.setdefault(label, at) for at, label in enumerate(labels)]

    assert first_of_group(got) == first_of_group(expected.tolist())
    far = [(a, b) for a, b in itertools.combinations(range(len(texts)), 2) if got[a] == got[b]]
    assert set(far) - set(verified)  # some texts of one cluster are joined only through others
    assert 6 <= len(set(got)) < len(texts)
    if batch == 1:
        assert stats.joined_pairs > 0  # pairs were skipped as already joined


def test_unique_inverse_overwriting_its_input_gives_numpys_answer():
    from corpus_clean.dedup.sorted_sets import unique_inverse

    rng = np.random.default_rng(2)
    for dtype in (np.int64, np.uint64, np.int32):
        values = rng.integers(0, 40, size=500).astype(dtype)
        expected = np.unique(values, return_inverse=True)
        for overwrite in (False, True):
            distinct, inverse = unique_inverse(values.copy(), overwrite=overwrite)
            assert np.array_equal(distinct, expected[0]) and np.array_equal(inverse, expected[1])


@pytest.mark.parametrize("with_inverse", [False, True])
def test_cluster_arrays_made_a_slice_at_a_time_are_the_arrays_counted_directly(monkeypatch, tmp_path, with_inverse):
    """Per paragraph: its cluster, the distinct pages of its scope (its cluster on its
    site), their order-free hash and the scope's paragraphs, however many paragraphs a
    slice holds (a slice may end inside a run of one (cluster, page) pair), in memory
    or made in files (which are then the arrays, and all that is left in the folder)."""
    from corpus_clean.dedup import clusters

    rng = np.random.default_rng(3)
    n = 500
    distinct = np.unique(rng.integers(1, 1 << 40, 60, dtype=np.int64).astype(np.uint64))
    roots = np.minimum(np.arange(len(distinct)), rng.integers(0, len(distinct), len(distinct)))  # some joined
    roots = roots[roots]  # roots of roots: a flattened forest
    empty = rng.random(n) < 0.05
    index = rng.integers(0, len(distinct), n)
    keys = np.where(empty, np.uint64(0), distinct[index])
    pages = np.sort(rng.integers(0, 40, n))
    page_groups = rng.integers(0, 3, 40)
    texts = {int(k): f"text {k}" for k in distinct.tolist()}

    def arrays(slice_size: int, folder=None):
        monkeypatch.setattr(clusters, "_SLICE", slice_size)
        stats, table = ClusterStats(), clusters.ClusterTable()
        full_distinct = index[~empty] if with_inverse else None
        got = clusters.cluster_arrays(
            keys, empty, pages, distinct, roots, Config(), stats, table, page_groups, texts, full_distinct, folder
        )
        return got, stats, table

    got, stats, table = arrays(1 << 22)
    cluster = got.cluster
    assert (cluster[~empty] == roots[index[~empty]]).all()
    assert len(set(cluster[empty].tolist())) == empty.sum() and (cluster[empty] >= len(distinct)).all()
    scope = [(c, page_groups[p]) for c, p in zip(cluster.tolist(), pages.tolist())]
    for i in range(n):
        on_pages = {pages[j] for j in range(n) if scope[j] == scope[i]}
        assert got.n_pages[i] == len(on_pages)
        assert got.n_paragraphs[i] == scope.count(scope[i])
        assert got.pages_hash[i] == got.pages_hash[[j for j in range(n) if scope[j] == scope[i]][0]]
    assert stats.repeated_paragraphs == int((got.n_pages >= 2).sum())
    assert stats.repeated_clusters == len({c for c, k in zip(cluster.tolist(), got.n_pages.tolist()) if k >= 2})
    assert len(set(got.pages_hash.tolist())) > 10
    for slice_size, folder in ((1, None), (2, None), (7, tmp_path / "7"), (64, None), (1 << 22, tmp_path / "all")):
        if folder is not None:
            folder.mkdir()
        other, other_stats, other_table = arrays(slice_size, folder and str(folder))
        if folder is not None:
            names = ("cluster", "n_pages", "pages_hash", "n_paragraphs")
            assert sorted(os.listdir(folder)) == sorted(f"clusters-{name}.npy" for name in names)
            assert all(isinstance(getattr(other, name), np.memmap) for name in names)
        for name in ("cluster", "n_pages", "pages_hash", "n_paragraphs"):
            assert np.array_equal(getattr(other, name), getattr(got, name)), (slice_size, name)
        assert (other_stats.repeated_clusters, other_stats.repeated_paragraphs) == (
            stats.repeated_clusters,
            stats.repeated_paragraphs,
        )
        assert np.array_equal(other_table.first_pages, table.first_pages)
        assert np.array_equal(other_table.n_pages, table.n_pages)
