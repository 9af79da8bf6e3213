"""The Dask engine gives the local engine's articles, in the same order, whatever the
partitioning, and survives losing a worker in the middle of a run.

The clusters here are real: `LocalCluster`s of 2 worker processes. One is shared by the
equality tests; the fault tests start their own, since they kill its workers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed", reason="the dask engine needs the optional extra corpus-clean[dask]")
pytest.importorskip("dask.dataframe")

import dask  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from conftest import DATA, SEEDS, local_cluster  # noqa: E402
from distributed import Client, KilledWorker  # noqa: E402
from test_fast_paths import smallest_of_components  # noqa: E402

from corpus_clean import Config, InputError, Report, clean  # noqa: E402
from corpus_clean.dedup.candidates import MAX_BUCKET_PAIRS_SIZE, band_candidates  # noqa: E402
from corpus_clean.dedup.clusters import ClusterStats  # noqa: E402
from corpus_clean.engine import dask as dask_engine
from corpus_clean.engine.dask import (  # noqa: E402
    SHUFFLE_METHOD,
    _bucket_pairs_and_caps,
    clean_dask,
    component_labels,
)

#: the tests that start a cluster of worker processes: some seconds each, a minute or two
#: those that kill a worker; the quick lane (`-m "not slow"`) leaves them to CI
slow = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO / "benchmarks" / "make_corpus.py"
GENERATED_PAGES = 2000


@pytest.fixture(scope="module")
def client():
    with local_cluster() as cluster, Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A synthetic crawl of 2000 pages (4 sites, with exact copies of pages and capped-free buckets)."""
    out = tmp_path_factory.mktemp("generated") / "corpus"
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), "--pages", str(GENERATED_PAGES), "--seed", "7", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def odd_corpus(tmp_path_factory) -> Path:
    """The seeds plus what the engines must treat alike: skipped files, an exact copy of
    a page, a page of punctuation only, and a second site."""
    root = tmp_path_factory.mktemp("odd") / "corpus"
    shutil.copytree(SEEDS, root / "site_a")
    first = sorted((root / "site_a").glob("*.txt"))[0]
    shutil.copy(first, root / "site_a" / "zz_copy.txt")
    (root / "site_a" / "empty.txt").write_text("  \n")
    (root / "site_a" / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (root / "site_a" / "dots.txt").write_text("...\n\n---\n\nA line of words that is long enough to matter here.\n")
    shutil.copytree(DATA / "site_blog_en", root / "site_b")
    return root


_LOCAL: dict[tuple, tuple[list, Report]] = {}


def local_result(paths: list[Path]) -> tuple[list, Report]:
    """The local engine's articles and report, once per corpus."""
    key = tuple(str(p) for p in paths)
    if key not in _LOCAL:
        report = Report()
        _LOCAL[key] = (list(clean(paths, Config(jobs=1), report)), report)
    return _LOCAL[key]


def assert_same_run(got: list, got_report: Report, paths: list[Path]) -> None:
    expected, report = local_result(paths)
    assert [a.to_dict() for a in got] == [a.to_dict() for a in expected]  # ids, titles, dates, texts, sources, order
    assert got == expected
    assert got_report.clusters == report.clusters
    assert got_report.dropped_paragraphs == report.dropped_paragraphs
    assert got_report.dropped_chars == report.dropped_chars
    assert got_report.dedupe == report.dedupe
    assert (got_report.files_found, got_report.pages_read, got_report.duplicate_pages) == (
        report.files_found,
        report.pages_read,
        report.duplicate_pages,
    )
    assert got_report.skipped == report.skipped
    assert got_report.undated_articles == report.undated_articles


# --- same articles as the local engine --------------------------------------------------------


@slow
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_seeds(client, partitions):
    report = Report()
    got = clean_dask([SEEDS], Config(jobs=1), report, client=client, partitions=partitions)
    assert len(got) == 9
    assert_same_run(got, report, [SEEDS])


@slow
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_two_sites_together(client, partitions):
    paths = [DATA / "site_news_ru", DATA / "site_blog_en"]
    report = Report()
    got = clean_dask(paths, Config(jobs=1), report, client=client, partitions=partitions)
    assert_same_run(got, report, paths)


@slow
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_generated_corpus(client, generated, partitions):
    report = Report()
    got = clean_dask([generated], Config(jobs=1), report, client=client, partitions=partitions)
    assert report.pages_read == GENERATED_PAGES
    assert report.clusters.verified_pairs > 1000  # the near-duplicate path is exercised
    assert report.duplicate_pages > 0
    assert_same_run(got, report, [generated])


@slow
def test_skipped_files_copies_and_sites(client, odd_corpus):
    report = Report()
    got = clean_dask([odd_corpus], Config(jobs=1), report, client=client, partitions=4)
    assert {s.reason for s in report.skipped} == {"empty", "binary"}
    assert report.duplicate_pages == 1
    assert_same_run(got, report, [odd_corpus])


@slow
def test_pages_from_a_container(client, tmp_path):
    """Pages spooled out of a JSONL container, grouped by their urls' hosts, keep the
    url and date the container gave (the workers read the spooled copies)."""
    lines = []
    for host, folder in (("news.example", SEEDS), ("blog.example", DATA / "site_blog_en")):
        for n, page in enumerate(sorted(folder.glob("*.txt"))):
            record = {
                "url": f"https://{host}/{n}",
                "date": f"2024-01-0{n + 1}",
                "text": page.read_bytes().decode("utf-8", "replace"),
            }
            lines.append(json.dumps(record, ensure_ascii=False))
    container = tmp_path / "crawl.jsonl"
    container.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = Report()
    got = clean_dask([container], Config(jobs=1), report, client=client, partitions=3)
    assert report.pages_read == len(lines)
    assert all(a.url and a.url.startswith("https://") for a in got)
    assert_same_run(got, report, [container])


@slow
def test_pages_from_an_fsspec_url(client):
    """Pages given by URL are read by the workers from the URL (more in test_dask_urls.py)."""
    paths = [DATA / "site_news_ru", DATA / "site_blog_en"]
    report = Report()
    got = clean_dask([p.as_uri() for p in paths], Config(jobs=1), report, client=client, partitions=3)
    assert_same_run(got, report, paths)


@slow
def test_own_cluster_with_default_partitions():
    """Without a client, a LocalCluster is started for the run and closed after it."""
    report = Report()
    got = clean_dask(str(SEEDS), Config(jobs=1), report, n_workers=2)
    assert_same_run(got, report, [SEEDS])


def test_bad_arguments_fail_before_any_cluster(tmp_path):
    with pytest.raises(InputError):
        clean_dask([tmp_path / "missing"], Config())
    with pytest.raises(ValueError, match="numpy backend"):
        clean_dask([SEEDS], Config(backend="datasketch"))
    with pytest.raises(ValueError, match="partitions"):
        clean_dask([SEEDS], Config(), partitions=0)


@slow
def test_empty_input(client, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    report = Report()
    assert clean_dask([tmp_path], Config(), report, client=client) == []
    assert [s.reason for s in report.skipped] == ["empty"]


# --- the pieces, against the local functions ---------------------------------------------------


def _distinct_keys(rng: np.random.Generator, n: int) -> np.ndarray:
    keys = np.unique(rng.integers(0, np.iinfo(np.uint64).max, size=2 * n, dtype=np.uint64, endpoint=True))
    return rng.permutation(keys)[:n]


def _random_rows(seed: int, n: int = 600, bands: int = 5) -> np.ndarray:
    """Band keys with small buckets everywhere and, in two bands, buckets over the cap."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n // 3, size=(n, bands)).astype(np.uint64)
    rows[: MAX_BUCKET_PAIRS_SIZE + 40, 1] = 7  # one capped bucket
    rows[100 : 100 + 2 * MAX_BUCKET_PAIRS_SIZE, 3] = 9  # another, overlapping other buckets
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_bucket_pairs_are_band_candidates(seed):
    """The shuffled banding gives band_candidates' pairs (as keys) and capped counts,
    however the rows are split into partitions, and with texts seen several times."""
    rows = _random_rows(seed)
    keys = np.sort(_distinct_keys(np.random.default_rng(seed), len(rows)))
    stats = ClusterStats()
    expected = keys[band_candidates(rows, stats)]
    n, bands = rows.shape
    frame = pd.DataFrame(
        {
            "band": np.tile(np.arange(bands, dtype=np.uint16), n),
            "bucket": rows.ravel(),
            "key": np.repeat(keys, bands),
        }
    )
    frame = pd.concat([frame, frame.iloc[::3]])  # texts fingerprinted in several chunks
    pieces = [frame[(frame["band"] * 31 + frame["bucket"] % 97) % 4 == p] for p in range(4)]  # whole buckets
    done = [_bucket_pairs_and_caps(p) for p in pieces]
    found = pd.concat([pairs for pairs, _ in done])
    got = np.unique(found[["a", "b"]].to_numpy(dtype=np.uint64), axis=0)
    assert np.array_equal(got, expected)
    caps = pd.concat([capped for _, capped in done]).sum()
    assert stats.capped_buckets == 2
    assert (caps["buckets"], caps["pairs"]) == (stats.capped_buckets, stats.capped_pairs)


def _smallest_labels(edges: np.ndarray) -> dict[int, int]:
    nodes = np.unique(edges)
    roots = smallest_of_components(len(nodes), np.searchsorted(nodes, edges))
    return dict(zip(nodes.tolist(), nodes[roots].tolist()))


@slow
@pytest.mark.parametrize("partitions", [1, 2, 5])
def test_label_propagation_names_each_component_by_its_smallest_key(client, partitions):
    """Long chains (in shuffled order), stars and small components, over several partitions."""
    rng = np.random.default_rng(partitions)
    ids = _distinct_keys(rng, 3000)  # text keys use all 64 bits: half are above int64's range
    chain = ids[:400]
    edges = [np.stack([chain[:-1], chain[1:]], axis=1)]
    star = ids[400:600]
    edges.append(np.stack([np.full(199, star[-1]), star[:-1]], axis=1))
    rest = ids[600:]
    edges.append(np.stack([rest[rng.integers(0, len(rest), 1500)], rest[rng.integers(0, len(rest), 1500)]], axis=1))
    edges = np.concatenate(edges)
    edges = np.sort(edges[edges[:, 0] != edges[:, 1]], axis=1)  # a < b, as verified pairs are
    edges = edges[rng.permutation(len(edges))]
    frame = dd.from_pandas(pd.DataFrame({"a": edges[:, 0], "b": edges[:, 1]}), npartitions=partitions)
    with dask.config.set({"dataframe.shuffle.method": SHUFFLE_METHOD}):
        nodes, labels, rounds = component_labels(client, client.persist(frame), partitions)
    assert dict(zip(nodes.tolist(), labels.tolist())) == _smallest_labels(edges)
    # one partition holds the whole graph: one round; else the graph contracts each
    # round (a 400-node chain would take hundreds of rounds of neighbour minima)
    assert rounds == 1 if partitions == 1 else 1 < rounds <= 12


# --- losing a worker ----------------------------------------------------------------------------


def _kill_one_worker(client: Client) -> int:
    pids = client.run(os.getpid)
    pid = pids[sorted(pids)[0]]
    os.kill(pid, signal.SIGKILL)
    return pid


@slow
@pytest.mark.parametrize("when", ["fingerprint", "cluster", "segment"])
def test_a_worker_killed_mid_run(generated, when, monkeypatch):
    """A worker process killed while a run goes on: its work is redone elsewhere, and the
    articles are the local engine's, once each (a run may also fail with a clear error,
    but never return part of the articles, or some twice: here one loss must be survived).

    "fingerprint" kills it once half the pages are fingerprinted (it then holds band keys
    that the LSH shuffle needs later), "cluster" as the connected components of the
    verified pairs start (the pairs, persisted, and the texts fetched to verify them are
    on the workers), "segment" once a third of the pages are segmented (tasks running and
    queued on it). Each at a known point of the run, whatever the machine's load.
    """
    expected, _ = local_result([generated])
    killed: list[int] = []
    with local_cluster() as cluster, Client(cluster, set_as_default=False) as c:

        def progress(stage: str, done: int, total: int) -> None:
            if stage == when and not killed and done >= total // (2 if stage == "fingerprint" else 3):
                killed.append(_kill_one_worker(c))

        def labels_after_a_loss(*args, **kwargs):
            killed.append(_kill_one_worker(c))
            return component_labels(*args, **kwargs)

        if when == "cluster":
            monkeypatch.setattr(dask_engine, "component_labels", labels_after_a_loss)
        try:
            got = clean_dask([generated], Config(jobs=1), client=c, partitions=8, progress=progress)
        except KilledWorker as err:
            pytest.fail(f"the run did not survive one lost worker: {err!r}")
    assert len(killed) == 1, killed
    assert got == expected
    assert len({a.id for a in got}) == len(got)
