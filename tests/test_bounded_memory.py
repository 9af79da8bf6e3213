"""Runs bounded in memory: the first pass's rows and texts kept once each on disk
(`RowStore`), LSH candidates found and checked in rounds (`--max-memory`), articles
written as they come. Each gives what the all-in-memory path gives."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from corpus_clean.cli.app import app
from corpus_clean.config import Config
from corpus_clean.dedup import candidates, clusters
from corpus_clean.dedup.candidates import band_candidate_rounds, band_candidates
from corpus_clean.dedup.clusters import ClusterStats
from corpus_clean.dedup.merge import ArticleMerger
from corpus_clean.dedup.merged import UnreadArticle
from corpus_clean.engine import local
from corpus_clean.engine.fingerprint_store import RowStore, SortedKeySet
from corpus_clean.engine.text_spool import write_texts


def test_sorted_key_set_is_a_set():
    rng = np.random.default_rng(7)
    keyset, reference = SortedKeySet(), set()
    for _ in range(300):
        keys = np.unique(rng.integers(0, 5000, rng.integers(0, 60)).astype(np.uint64))
        probe = rng.integers(0, 5000, 50).astype(np.uint64)
        assert keyset.contains(probe).tolist() == [int(k) in reference for k in probe]
        fresh = keys[~keyset.contains(keys)]
        keyset.add(fresh)
        reference.update(int(k) for k in fresh)
    assert len(keyset) == len(reference)
    # levels shrink by half at least from one to the next: few of them
    sizes = [len(level) for level in keyset.levels]
    assert all(a > 2 * b for a, b in zip(sizes, sizes[1:])) and len(sizes) <= 13


def _chunk(tmp_path, name, keys):
    keys = np.array(sorted(keys), dtype=np.uint64)
    rows = (keys[:, None] * np.uint64(31) + np.arange(4, dtype=np.uint64)).astype(np.uint64)  # a function of the key
    texts = [f"text of {int(k)} " + "é" * (int(k) % 4) for k in keys]  # a key's text is always the same
    path = str(tmp_path / name)
    write_texts(path, keys, texts)
    return keys, rows, path, dict(zip(keys.tolist(), texts))


def test_row_store_keeps_each_text_once_in_key_order(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / "store"
    folder.mkdir()
    store = RowStore(str(folder))
    expected_rows, expected_texts = {}, {}
    for c in range(40):
        keys = set(rng.integers(0, 400, rng.integers(1, 30)).tolist())  # chunks repeat texts
        keys, rows, path, texts = _chunk(tmp_path, f"{c}.texts", keys)
        store.add(keys, rows, path)
        assert not (tmp_path / f"{c}.texts").exists()  # read, then deleted
        for k, row in zip(keys.tolist(), rows.tolist()):
            expected_rows.setdefault(k, tuple(row))
        for k, text in texts.items():
            expected_texts.setdefault(k, text)
    keys = store.finish()
    assert keys.tolist() == sorted(expected_rows)
    matrix = store.matrix()
    assert [tuple(r) for r in matrix.tolist()] == [expected_rows[k] for k in keys.tolist()]
    assert np.array_equal(store.column(2), matrix[:, 2])
    assert [store.text(i) for i in range(len(keys))] == [expected_texts[k] for k in keys.tolist()]
    some = np.array([5, 0, len(keys) - 1, 5], dtype=np.int64)
    assert store.texts(some) == [store.text(i) for i in some.tolist()]
    store.close()


def test_rounds_of_candidates_cover_every_pair_once_merged():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=(600, 6)).astype(np.uint64)
    whole = band_candidates(keys)
    rounds = list(band_candidate_rounds(keys, max_codes=3000))
    assert len(rounds) > 2
    for pairs in rounds:  # each round sorted and unique in itself
        assert np.array_equal(pairs, np.unique(pairs, axis=0))
    merged = np.unique(np.concatenate(rounds), axis=0)
    assert np.array_equal(merged, whole)
    assert sum(map(len, rounds)) > len(whole)  # pairs of several rounds are given again


@pytest.mark.parametrize("max_codes", [None, 3000])
def test_bands_worked_on_threads_give_the_same_rounds(max_codes):
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 40, size=(600, 7)).astype(np.uint64)
    keys[:200, 2] = 7  # one bucket too big to pair in full: capped
    alone, threaded = ClusterStats(), ClusterStats()
    one = list(band_candidate_rounds(keys, alone, max_codes=max_codes, threads=1))
    three = list(band_candidate_rounds(keys, threaded, max_codes=max_codes, threads=3))
    assert len(one) == len(three) == (1 if max_codes is None else len(one)) and len(one) >= 1
    assert all(np.array_equal(a, b) for a, b in zip(one, three))
    assert alone.capped_buckets == threaded.capped_buckets == 1
    assert alone.capped_pairs == threaded.capped_pairs > 0


@pytest.fixture
def teaser_corpus(tmp_path):
    """Pages sharing edited teasers (near-duplicate paragraphs) and their articles."""
    rng = random.Random(11)
    words = "minister council city river school road budget hospital report week market festival".split()
    stories = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(30)]
    root = tmp_path / "site"
    root.mkdir()
    for p in range(60):
        own = stories[p % 30]
        teasers = [stories[(p + k) % 30][:120] + (" Read more" if k % 2 else "") for k in (1, 2, 3)]
        date = f"{1 + p % 28:02d}.0{1 + p % 9}.2021"
        body = "\n\n".join(
            [f"Story number {p % 30} of the city", date, own, own.upper()[:80] + " and more words here."]
        )
        (root / f"page{p:03d}.txt").write_text("\n\n".join(["Go back", *teasers, body, "Contacts: +7 495 000"]))
    return root


def test_bounded_run_gives_the_same_articles(teaser_corpus, monkeypatch):
    unbounded = [a.to_dict() for a in local.clean(teaser_corpus, Config(jobs=1))]
    # the smallest budget still gives rounds of a million codes: make them tiny instead
    monkeypatch.setattr(candidates, "CANDIDATE_MEMORY_SHARE", 1 << 40)
    monkeypatch.setattr(clusters, "JOIN_BATCH_PAIRS", 5)
    calls = []
    original = candidates.band_candidate_rounds

    def counted(keys, stats=None, settled=None, max_codes=None, threads=1):
        for pairs in original(keys, stats, settled, 20, threads):
            calls.append(len(pairs))
            yield pairs

    monkeypatch.setattr(candidates, "band_candidate_rounds", counted)
    # and verify the pairs by tiles of one byte of the file of texts (an order far from the keys')
    monkeypatch.setattr(local, "PAGES_PER_CHUNK", 8)
    monkeypatch.setattr(clusters, "VERIFY_TILE_SHARE", 1 << 40)
    reordered = []
    in_file_order = clusters.in_file_order

    def recorded(pairs, offsets, tile_bytes):
        out = in_file_order(pairs, offsets, tile_bytes)
        reordered.append(not np.array_equal(out, pairs))
        return out

    monkeypatch.setattr(clusters, "in_file_order", recorded)
    bounded = [a.to_dict() for a in local.clean(teaser_corpus, Config(jobs=1, max_memory=1 << 30))]
    assert len(calls) > 3  # it did work in rounds
    assert any(reordered)  # (texts lie in the file by chunk, then by key: chunks of 8 pages)
    assert bounded == unbounded and len(unbounded) >= 25


def test_pairs_in_file_order_go_by_tile_then_forward_through_the_file():
    rng = np.random.default_rng(3)
    pairs = np.sort(rng.integers(0, 500, size=(3000, 2)), axis=1)
    offsets = rng.permutation(500) * 40  # where each row's text starts in the file
    tile = 2000
    out = clusters.in_file_order(pairs, lambda rows: offsets[rows], tile)
    assert sorted(map(tuple, out.tolist())) == sorted(map(tuple, pairs.tolist()))  # the same pairs
    lo = np.minimum(offsets[out[:, 0]], offsets[out[:, 1]])
    hi = np.maximum(offsets[out[:, 0]], offsets[out[:, 1]])
    assert (np.diff(lo // tile) >= 0).all()  # tile by tile
    same_tile = np.diff(lo // tile) == 0
    assert (np.diff(hi)[same_tile] >= 0).all()  # and forward within a tile


def test_seeds_the_same_with_max_memory():
    runner = CliRunner()
    plain = runner.invoke(app, ["run", str(SEEDS), "--quiet"])
    bounded = runner.invoke(app, ["run", str(SEEDS), "--quiet", "--max-memory", "512M"])
    assert plain.exit_code == bounded.exit_code == 0
    assert plain.stdout == bounded.stdout and len(plain.stdout.splitlines()) == 9


def test_unread_articles_get_their_texts_when_read(tmp_path):
    from corpus_clean.records import ArticleCopy

    merger = ArticleMerger(["a.txt", "b.txt"], spool_dir=tmp_path)
    for page in (0, 1):
        merger.add(
            ArticleCopy(
                page=page, start=0, title="T", date=None, date_source=None,
                text="An article body of several words.", key=(1,), spans=((0, 10),),
            )
        )  # fmt: skip
    ((position, unread),) = merger.merged_articles()
    assert isinstance(unread, UnreadArticle) and unread.text == ""
    article = merger.read(unread)
    assert type(article).__name__ == "Article" and article.text == "An article body of several words."
    assert article.n_chars == len(article.text) and article.sources == ("a.txt", "b.txt")
    assert json.loads(json.dumps(article.to_dict()))["text"] == article.text


def test_the_workers_are_forked_before_the_input_is_listed(monkeypatch):
    """A worker forked after the listing would keep a copy of every page of the files'
    records that the main process touches afterwards (600 MB at 1M pages)."""
    import multiprocessing

    workers_at_listing = []
    listing = local.spooled
    # children of this process that other tests left (a pool's workers still being reaped)
    # are not this run's
    others = {p.pid for p in multiprocessing.active_children()}

    def spied(*args, **kwargs):
        workers_at_listing.append(len({p.pid for p in multiprocessing.active_children()} - others))
        return listing(*args, **kwargs)

    monkeypatch.setattr(local, "spooled", spied)
    expected = [a.to_dict() for a in local.clean([SEEDS], Config(jobs=1))]
    assert workers_at_listing == [0]
    assert [a.to_dict() for a in local.clean([SEEDS], Config(jobs=2))] == expected
    assert workers_at_listing == [0, 2]
