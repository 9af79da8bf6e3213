"""With the Dask engine, plain pages given as fsspec URLs are read by the workers from
the URL: the client lists them, nothing is spooled, and what a worker cannot read is
skipped with the reason the local engine (which spools them) gives.

Two clusters: the 2-process `LocalCluster` of the other Dask tests (file:// URLs, which
every process sees), and a 2-thread one in this process (processes=False), the only
kind that sees this process's memory:// file system.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask engine needs the optional extra corpus-clean[dask]")
pytest.importorskip("dask.dataframe")

import fsspec  # noqa: E402
from conftest import SEEDS, local_cluster  # noqa: E402
from distributed import Client  # noqa: E402

from corpus_clean import Config, Report, clean  # noqa: E402
from corpus_clean.engine import dask as dask_engine
from corpus_clean.engine.dask import clean_dask  # noqa: E402
from corpus_clean.io.listing import discover, spooled  # noqa: E402
from corpus_clean.records import SkippedFile  # noqa: E402

BIG_LIMIT = 8000  #: bytes: every seed page is under it (4.4 to 5.8 kB), the big page over it


@pytest.fixture(scope="module")
def client():
    with local_cluster(processes=True) as cluster, Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def thread_client():
    with local_cluster(processes=False) as cluster, Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture
def memfs():
    fs = fsspec.filesystem("memory")
    if fs.exists("/dask-urls"):
        fs.rm("/dask-urls", recursive=True)
    yield fs
    if fs.exists("/dask-urls"):
        fs.rm("/dask-urls", recursive=True)


@pytest.fixture(scope="module")
def local_seed_rows():
    """The local engine's articles on the seed folder, as output lines (sources included)."""
    return [a.to_dict() for a in clean([SEEDS], Config(jobs=1))]


class SpoolProbe:
    """A progress callback that lists what the spool folder holds while the run goes on."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.calls = 0
        self.seen: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls += 1
        runs = list(self.spool.glob("corpus-clean-spool-*"))
        assert len(runs) == 1, "the run's spool folder is made in Config.spool_dir"
        self.seen.update(str(p.relative_to(runs[0])) for p in runs[0].rglob("*"))


def _copy_seeds(folder: Path) -> Path:
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.mark.slow  # a cluster of worker processes
def test_file_url_is_read_by_the_workers_not_spooled(client, tmp_path, local_seed_rows):
    crawl = _copy_seeds(tmp_path / "crawl")
    spool = tmp_path / "spool"
    spool.mkdir()
    config = Config(jobs=1, spool_dir=str(spool))

    # what the client sends: the URL's file system and the page's path on it, no copy
    files = discover([crawl.as_uri()], config, spool=None, spool_urls=False)
    assert [f.path for f in files] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert [f.remote.path for f in files] == [str(crawl / f.path) for f in files]
    assert [f.remote.url for f in files] == [f"{crawl.as_uri()}/{f.path}" for f in files]

    probe = SpoolProbe(spool)
    report = Report()
    got = clean_dask([crawl.as_uri()], config, report, client=client, partitions=3, progress=probe)
    assert probe.calls > 0
    assert probe.seen == set()  # not a page, not a folder in the spool during the run
    # the same lines, sources included, as the local engine on the folder itself
    assert [a.to_dict() for a in got] == local_seed_rows
    assert report.pages_read == 5 and report.skipped == []
    assert list(spool.iterdir()) == []  # and the run's spool folder is gone

    # the probe does see what the local engine spools from the same URL
    local_probe = SpoolProbe(spool)
    assert [a.to_dict() for a in clean([crawl.as_uri()], config, progress=local_probe)] == local_seed_rows
    assert len([name for name in local_probe.seen if name.endswith(".txt")]) == 5


@pytest.mark.slow
def test_memory_url_is_read_by_in_process_workers(thread_client, memfs, tmp_path, local_seed_rows):
    for page in sorted(SEEDS.glob("*.txt")):
        memfs.pipe(f"memory://dask-urls/crawl/{page.name}", page.read_bytes())
    memfs.pipe("memory://dask-urls/crawl/notes.md", b"not matched by --glob")
    spool = tmp_path / "spool"
    spool.mkdir()
    probe = SpoolProbe(spool)
    report = Report()
    got = clean_dask(
        ["memory://dask-urls/crawl"],
        Config(jobs=1, spool_dir=str(spool)),
        report,
        client=thread_client,
        partitions=2,
        progress=probe,
    )
    assert probe.calls > 0 and probe.seen == set()
    assert [a.to_dict() for a in got] == local_seed_rows
    assert report.files_found == 5 and report.pages_read == 5


def test_a_memory_url_container_is_still_spooled(thread_client, memfs, tmp_path, local_seed_rows):
    """JSONL at a URL: the client unpacks it into the spool, the workers read the copies."""
    lines = "".join(json.dumps({"text": p.read_text("utf-8")}) + "\n" for p in sorted(SEEDS.glob("*.txt")))
    memfs.pipe("memory://dask-urls/dump/pages.jsonl", lines.encode("utf-8"))
    spool = tmp_path / "spool"
    spool.mkdir()
    probe = SpoolProbe(spool)
    got = clean_dask(
        ["memory://dask-urls/dump/pages.jsonl"],
        Config(jobs=1, spool_dir=str(spool)),
        client=thread_client,
        partitions=2,
        progress=probe,
    )
    assert len([name for name in probe.seen if name.endswith(".txt")]) == 5
    assert [(a["id"], a["text"]) for a in (x.to_dict() for x in got)] == [(a["id"], a["text"]) for a in local_seed_rows]


def _listed_then(action):
    """`spooled` as the Dask engine calls it, running `action` once the client has listed the pages."""

    @contextlib.contextmanager
    def wrapper(*args, **kwargs):
        with spooled(*args, **kwargs) as files:
            action()
            yield files

    return wrapper


def test_pages_that_go_missing_or_cannot_be_read_are_skipped(thread_client, memfs, monkeypatch, local_seed_rows):
    root = "memory://dask-urls/bad"
    for page in sorted(SEEDS.glob("*.txt")):
        memfs.pipe(f"{root}/{page.name}", page.read_bytes())
    memfs.pipe(f"{root}/gone.txt", b"A page deleted after it was listed, before any worker read it.\n")
    memfs.pipe(f"{root}/locked.txt", b"A page the file system refuses to give.\n")
    memfs.pipe(f"{root}/big.txt", b"word " * 4000)
    real_cat = type(memfs).cat_file

    def refusing_cat(self, path, *args, **kwargs):
        if path.endswith("locked.txt"):
            raise PermissionError(f"access denied to {path}")
        return real_cat(self, path, *args, **kwargs)

    monkeypatch.setattr(type(memfs), "cat_file", refusing_cat)  # the workers are threads of this process
    monkeypatch.setattr(dask_engine, "spooled", _listed_then(lambda: memfs.rm(f"{root}/gone.txt")))
    report = Report()
    got = clean_dask([root], Config(jobs=1, max_file_bytes=BIG_LIMIT), report, client=thread_client, partitions=3)
    assert report.files_found == 8 and report.pages_read == 5
    skipped = {s.path: s for s in report.skipped}
    assert set(skipped) == {"big.txt", "gone.txt", "locked.txt"}
    assert skipped["big.txt"] == SkippedFile(
        "big.txt", "too-large", f"{root}/big.txt: over {BIG_LIMIT} bytes; raise the limit or split the file"
    )
    assert skipped["gone.txt"].reason == "unreadable"
    assert skipped["gone.txt"].detail.startswith(f"{root}/gone.txt cannot be opened: ")
    assert skipped["locked.txt"] == SkippedFile(
        "locked.txt", "unreadable", f"{root}/locked.txt: reading it failed (access denied to /dask-urls/bad/locked.txt)"
    )
    assert [a.to_dict() for a in got] == local_seed_rows


@pytest.mark.slow  # a cluster of worker processes
def test_skipped_pages_are_reported_as_the_local_engine_reports_them(client, tmp_path, monkeypatch):
    """A file:// corpus with pages of every kind a worker skips: the reasons and details
    are those of the local engine, which spools the same URL; a page deleted after the
    listing is skipped as unreadable (the local engine had copied it already)."""
    crawl = _copy_seeds(tmp_path / "crawl")
    (crawl / "empty.txt").write_text("  \n")
    (crawl / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (crawl / "big.txt").write_bytes(b"word " * 4000)
    (crawl / "cp1251.txt").write_bytes(
        (SEEDS / "000_4219543f79debe9f.txt").read_text("utf-8").replace("the", "и").encode("cp1251", "replace")
    )
    (crawl / "gone.txt").write_text("A page deleted after it was listed.\n")
    config = Config(jobs=1, max_file_bytes=BIG_LIMIT)
    url = crawl.as_uri()
    local_report = Report()
    expected = [a.to_dict() for a in clean([url], config, local_report)]

    monkeypatch.setattr(dask_engine, "spooled", _listed_then((crawl / "gone.txt").unlink))
    report = Report()
    got = clean_dask([url], config, report, client=client, partitions=4)
    by_path = {s.path: s for s in report.skipped}
    gone = by_path.pop("gone.txt")
    assert gone.reason == "unreadable" and gone.detail.startswith(f"{url}/gone.txt cannot be opened: ")
    assert set(by_path) == {"empty.txt", "binary.txt", "big.txt"}
    assert by_path == {s.path: s for s in local_report.skipped}  # same reasons, same details
    assert report.encodings == local_report.encodings - Counter({"utf-8": 1})  # gone.txt: utf-8, read locally
    assert set(report.encodings) != {"utf-8"}  # the legacy page was decoded as the local engine decodes it
    assert report.pages_read == local_report.pages_read - 1
    assert [a.to_dict() for a in got] == expected  # gone.txt was too short to give an article anyway
