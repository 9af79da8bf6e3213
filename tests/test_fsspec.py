"""Inputs and outputs given as fsspec URLs (memory:// and file://, no network)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import fsspec
import pytest

from corpus_clean import clean
from corpus_clean.cli.app import main
from corpus_clean.config import Config
from corpus_clean.io.listing import discover, spooled
from corpus_clean.io.read import InputError
from corpus_clean.io.remote import is_url
from corpus_clean.io.write import write_articles

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def memfs():
    """The memory file system, empty before and after the test (it is one per process)."""
    fs = fsspec.filesystem("memory")
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")
    yield fs
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")


@pytest.fixture(scope="module")
def local_articles():
    return [_key(a) for a in clean([SEEDS], Config(jobs=1))]


def _key(article):
    return (article.id, article.title, article.date, article.text)


def _upload_seeds(fs, folder: str) -> None:
    for page in sorted(SEEDS.glob("*.txt")):
        fs.pipe(f"{folder}/{page.name}", page.read_bytes())


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("s3://bucket/crawl/", True),
        ("memory://crawl", True),
        ("file:///tmp/x", True),
        ("crawl/pages", False),
        ("C:\\pages", False),
        ("C://pages", False),
        (Path("memory://crawl"), False),
    ],
)
def test_what_is_a_url(path, url):
    assert is_url(path) is url


def test_memory_folder_reads_like_the_local_folder(memfs, local_articles):
    _upload_seeds(memfs, "memory://crawl")
    memfs.pipe("memory://crawl/notes.md", b"not matched by --glob")
    with spooled(["memory://crawl"], Config()) as files:
        assert [f.path for f in files] == sorted(p.name for p in SEEDS.glob("*.txt"))
    articles = list(clean(["memory://crawl"], Config(jobs=1)))
    assert [_key(a) for a in articles] == local_articles
    assert articles[0].source == "000_4219543f79debe9f.txt"


def test_file_url_reads_like_the_local_folder(local_articles):
    articles = list(clean([SEEDS.as_uri()], Config(jobs=1)))
    assert [_key(a) for a in articles] == local_articles
    # whole output lines, sources included: display paths do not depend on how the folder is named
    assert [a.to_dict() for a in articles] == [a.to_dict() for a in clean([SEEDS], Config(jobs=1))]


def test_plain_pages_at_a_url_can_be_listed_to_be_read_from_there(memfs):
    """`spool_urls=False` (the Dask engine): no spool is needed, nothing is copied, and
    `read_file` reads the page from the URL as it reads a local file."""
    from corpus_clean.io.read import read_file

    _upload_seeds(memfs, "memory://crawl")
    memfs.pipe("memory://crawl/legacy.txt", "Привет, это страница в старой кодировке.\n".encode("cp1251"))
    files = discover(["memory://crawl"], Config(), spool=None, spool_urls=False)
    assert [f.path for f in files] == [*sorted(p.name for p in SEEDS.glob("*.txt")), "legacy.txt"]
    assert all(f.remote is not None and f.remote.url == f"memory://crawl/{f.path}" for f in files)
    legacy = read_file(files[-1], 5, Config())
    assert legacy.text == "Привет, это страница в старой кодировке.\n" and legacy.encoding != "utf-8"
    page = read_file(files[0], 0, Config())
    assert page.text == (SEEDS / files[0].path).read_text("utf-8") and page.path == files[0].path
    memfs.pipe("memory://crawl/legacy.txt", b"")  # emptied after the listing
    assert read_file(files[-1], 5, Config()).reason == "empty"
    with pytest.raises(ValueError, match="spool"):  # a container still needs one
        memfs.pipe("memory://crawl/pages.jsonl", b'{"text": "a page"}\n')
        discover(["memory://crawl"], Config(glob="*.jsonl"), spool=None, spool_urls=False)


def test_single_file_url_is_shown_as_given(memfs):
    page = sorted(SEEDS.glob("*.txt"))[0]
    memfs.pipe("memory://one/page.txt", page.read_bytes())
    with spooled(["memory://one/page.txt"], Config()) as files:
        assert [f.path for f in files] == ["memory://one/page.txt"]
        assert files[0].problem is None
        assert files[0].location.read_bytes() == page.read_bytes()


def test_jsonl_gz_in_memory(memfs, local_articles):
    lines = "".join(
        json.dumps({"text": p.read_text("utf-8"), "url": f"https://example.org/{p.stem}"}) + "\n"
        for p in sorted(SEEDS.glob("*.txt"))
    )
    memfs.pipe("memory://dump/pages.jsonl.gz", gzip.compress(lines.encode("utf-8")))
    articles = list(clean(["memory://dump"], Config(jobs=1, glob="*.jsonl.gz")))
    assert [_key(a) for a in articles] == local_articles
    assert articles[0].source == "pages.jsonl.gz#1"
    assert articles[0].url == "https://example.org/000_4219543f79debe9f"


def test_large_remote_page_is_skipped_with_its_url(memfs):
    memfs.pipe("memory://big/page.txt", b"word " * 1000)
    with spooled(["memory://big"], Config(max_file_bytes=1000)) as files:
        (item,) = files
    assert item.problem is not None and item.problem.reason == "too-large"
    assert "memory://big/page.txt" in item.problem.detail


def test_unreadable_remote_file_is_skipped_with_its_url(memfs, monkeypatch):
    memfs.pipe("memory://bad/a.txt", b"a page")
    memfs.pipe("memory://bad/b.jsonl", b'{"text": "a page"}\n')

    def refuse(self, path, *args, **kwargs):
        raise PermissionError(f"access denied to {path}")

    monkeypatch.setattr(type(memfs), "_open", refuse)
    with spooled(["memory://bad"], Config(glob="*")) as files:
        problems = {f.path: f.problem for f in files}
    assert set(problems) == {"a.txt", "b.jsonl"}
    for name, problem in problems.items():
        assert problem is not None and problem.reason == "unreadable"
        assert f"memory://bad/{name}" in problem.detail


def test_missing_url_stops_the_run(memfs):
    with pytest.raises(InputError, match="memory://nowhere"):
        list(clean(["memory://nowhere"], Config(jobs=1)))


def test_cli_output_to_memory_equals_local_output(memfs, tmp_path):
    local = tmp_path / "corpus.jsonl"
    assert _run(["run", str(SEEDS), "-o", str(local), "--quiet", "--jobs", "1"]) == 0
    assert _run(["run", str(SEEDS), "-o", "memory://out/corpus.jsonl", "--quiet", "--jobs", "1"]) == 0
    assert memfs.cat("memory://out/corpus.jsonl") == local.read_bytes()
    assert memfs.ls("/out", detail=False) == ["/out/corpus.jsonl"]  # no temporary object left


def test_cli_reads_a_memory_url(memfs, tmp_path):
    _upload_seeds(memfs, "memory://crawl")
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert _run(["run", str(SEEDS), "-o", str(local), "--quiet", "--jobs", "1"]) == 0
    assert _run(["run", "memory://crawl", "-o", str(remote), "--quiet", "--jobs", "1"]) == 0
    assert remote.read_bytes() == local.read_bytes()


def test_cli_refuses_an_unknown_scheme(capsys):
    assert _run(["run", str(SEEDS), "-o", "nosuchscheme://out/corpus.jsonl"]) == 2
    err = capsys.readouterr().err
    assert "nosuchscheme://" in err and len(err.strip().splitlines()) == 1


def test_gzip_shards_to_memory_equal_local_shards(memfs, tmp_path):
    articles = list(clean([SEEDS], Config(jobs=1)))
    local = write_articles(articles, tmp_path / "corpus.jsonl.gz", shard_size=4)
    memfs.pipe("memory://out/corpus-00007.jsonl.gz", b"stale shard of an earlier run")
    remote = write_articles(articles, "memory://out/corpus.jsonl.gz", shard_size=4)
    assert remote.count == local.count == len(articles)
    assert remote.files == tuple(f"memory://out/{p.name}" for p in local.files)
    for url, path in zip(remote.files, local.files):
        assert memfs.cat(url) == path.read_bytes()
    assert sorted(memfs.ls("/out", detail=False)) == [f"/out/{p.name}" for p in local.files]


def test_failed_write_leaves_nothing_at_the_target(memfs):
    articles = list(clean([SEEDS], Config(jobs=1)))

    def failing():
        yield from articles[:2]
        raise RuntimeError("the pipeline broke")

    memfs.mkdir("/out")
    with pytest.raises(RuntimeError, match="pipeline broke"):
        write_articles(failing(), "memory://out/corpus.jsonl.gz")
    assert memfs.ls("/out", detail=False) == []


def test_failed_upload_removes_the_temporary_objects(memfs, monkeypatch):
    articles = list(clean([SEEDS], Config(jobs=1)))

    def broken_move(self, *args, **kwargs):
        raise OSError("connection reset")

    memfs.mkdir("/out")
    monkeypatch.setattr(type(memfs), "mv", broken_move)
    with pytest.raises(OSError, match="connection reset"):
        write_articles(articles, "memory://out/corpus.jsonl", shard_size=3)
    assert memfs.ls("/out", detail=False) == []
