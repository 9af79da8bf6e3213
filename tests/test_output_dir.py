"""`-o DIR/`: the corpus as JSONL parts DIR/part-00000.jsonl, ..., all or nothing.

The articles are the seeds' nine; parts of `--shard-size` articles (100000 by default).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import fsspec
import pytest
from conftest import SEEDS

from corpus_clean import Config, clean
from corpus_clean.cli.app import main
from corpus_clean.io import write as write_module
from corpus_clean.io.write import PART_SIZE, WriteResult, output_folder, part_path, write_articles


@pytest.fixture(scope="module")
def articles():
    found = list(clean([SEEDS], Config(jobs=1)))
    assert len(found) == 9
    return found


@pytest.fixture(scope="module")
def single(articles, tmp_path_factory) -> bytes:
    """The seeds' output as one JSONL file, written by the CLI."""
    target = tmp_path_factory.mktemp("single") / "one.jsonl"
    assert _run(["run", str(SEEDS), "-o", str(target), "-q", "-j", "1"]) == 0
    return target.read_bytes()


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def parts(n: int) -> list[str]:
    return [f"part-{i:05d}.jsonl" for i in range(n)]


def joined(folder: Path, n: int) -> bytes:
    return b"".join((folder / name).read_bytes() for name in parts(n))


def fail_after_three(articles, error: type[BaseException]):
    yield from articles[:3]
    raise error("disk full")


@pytest.mark.parametrize(
    ("target", "folder"),
    [
        ("out/", "out"),
        ("a/b/", "a/b"),
        ("out", None),  # no such folder: a file
        ("out.jsonl", None),
    ],
)
def test_what_names_a_folder(target, folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert output_folder(target) == (Path(folder) if folder else None)
    (tmp_path / "existing").mkdir()
    assert output_folder("existing") == Path("existing")
    assert output_folder(tmp_path / "existing") == tmp_path / "existing"
    assert output_folder("memory://bucket/out/") == "memory://bucket/out/"
    assert output_folder("memory://bucket/out") is None  # a URL's existence is not asked
    assert output_folder(None) is None


def test_cli_folder_gets_one_part_equal_to_the_single_file(single, tmp_path):
    out = tmp_path / "out"
    assert _run(["run", str(SEEDS), "-o", f"{out}/", "-q", "-j", "1"]) == 0
    assert listing(out) == ["part-00000.jsonl"]  # made, one part, no temporary file
    assert (out / "part-00000.jsonl").read_bytes() == single


def test_cli_shard_size_4_gives_3_parts_that_join_to_the_single_file(single, tmp_path):
    out = tmp_path / "out"
    out.mkdir()  # an existing folder needs no trailing slash
    assert _run(["run", str(SEEDS), "-o", str(out), "--shard-size", "4", "-q", "-j", "1"]) == 0
    assert listing(out) == parts(3)
    assert [len((out / n).read_text().splitlines()) for n in parts(3)] == [4, 4, 1]
    assert joined(out, 3) == single


@pytest.mark.slow  # a Dask cluster of processes
def test_the_dask_engine_writes_parts_too(single, tmp_path):
    pytest.importorskip("distributed", reason="the dask engine needs the optional extra corpus-clean[dask]")
    out = tmp_path / "out"
    assert _run(["run", str(SEEDS), "-o", f"{out}/", "--shard-size", "4", "--engine", "dask", "-q", "-j", "2"]) == 0
    assert listing(out) == parts(3)
    assert joined(out, 3) == single


def test_the_default_part_size(articles, tmp_path, monkeypatch, capsys):
    assert PART_SIZE == 100_000
    monkeypatch.setattr(write_module, "PART_SIZE", 4)  # what a folder gets without a shard size
    result = write_articles(articles, f"{tmp_path}/out/")
    assert result == WriteResult(9, tuple(tmp_path / "out" / n for n in parts(3)))
    assert _run(["run", "--help"]) == 0
    assert "100000" in capsys.readouterr().out


def test_a_rerun_with_fewer_parts_removes_the_stale_ones(articles, single, tmp_path):
    out = tmp_path / "out"
    assert len(write_articles(articles, f"{out}/", shard_size=2).files) == 5
    others = {
        "part.jsonl": "not a part\n",
        "part-00007.jsonl.gz": "another kind\n",
        "part-7.jsonl": "not a name corpus-clean writes\n",
        "notes.txt": "the user's\n",
    }
    for name, text in others.items():
        (out / name).write_text(text)
    assert _run(["run", str(SEEDS), "-o", f"{out}/", "--shard-size", "4", "-q", "-j", "1"]) == 0
    assert listing(out) == sorted([*parts(3), *others])
    assert joined(out, 3) == single
    assert all((out / name).read_text() == text for name, text in others.items())
    write_articles(articles, out)  # the default size: one part
    assert listing(out) == sorted([*parts(1), *others])
    assert (out / "part-00000.jsonl").read_bytes() == single


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_write_leaves_no_part_and_no_new_folder(articles, tmp_path, error):
    out = tmp_path / "new" / "out"
    with pytest.raises(error):
        write_articles(fail_after_three(articles, error), f"{out}/", shard_size=2)
    assert listing(tmp_path) == []  # not even the folders it made

    out.mkdir(parents=True)
    write_articles(articles[3:], out, shard_size=2)
    before = {name: (out / name).read_bytes() for name in listing(out)}
    assert list(before) == parts(3)
    with pytest.raises(error):
        write_articles(fail_after_three(articles, error), out, shard_size=1)
    assert {name: (out / name).read_bytes() for name in listing(out)} == before  # the earlier run's parts, as they were


def test_a_failed_cli_run_makes_no_folder_and_no_part(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        yield from ()
        raise RuntimeError("the pipeline broke")

    out = tmp_path / "out"
    monkeypatch.setattr("corpus_clean.cli.run.clean", broken)
    with pytest.raises(RuntimeError, match="pipeline broke"):
        main(["run", str(SEEDS), "-o", f"{out}/", "-q", "-j", "1"])
    assert listing(tmp_path) == []


def test_parts_to_a_url_folder(articles, tmp_path):
    local = write_articles(articles, f"{tmp_path}/local/", shard_size=4)
    fs = fsspec.filesystem("memory")
    if fs.exists("/parts"):
        fs.rm("/parts", recursive=True)
    fs.pipe("memory://parts/part-00005.jsonl", b"stale\n")
    remote = write_articles(articles, "memory://parts/", shard_size=4)
    assert remote.files == tuple(f"memory://parts/{n}" for n in parts(3))
    assert [fs.cat(u) for u in remote.files] == [p.read_bytes() for p in local.files]
    assert sorted(fs.ls("/parts", detail=False)) == [f"/parts/{n}" for n in parts(3)]
    fs.rm("/parts", recursive=True)

    url = (tmp_path / "made" / "here").as_uri() + "/"  # file://: the folder is made
    assert write_articles(articles, url, shard_size=4).files == tuple(part_path(url, i) for i in range(3))
    assert joined(tmp_path / "made" / "here", 3) == joined(tmp_path / "local", 3)


def test_cli_checks_apply_to_the_folder(tmp_path, capsys):
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    # parts inside the input folder that the glob matches would be read back next time
    assert _run(["run", str(pages), "--glob", "*", "-o", f"{pages}/out/", "-q"]) == 2
    assert "next run would read it" in capsys.readouterr().err
    assert not (pages / "out").exists()
    # a part of an earlier run given as input: it would be overwritten, or deleted as stale
    out = tmp_path / "out"
    write_articles(list(clean([pages], Config(jobs=1))), out.as_posix() + "/", shard_size=4)
    for victim in ("part-00000.jsonl", "part-00002.jsonl"):
        before = (out / victim).read_bytes()
        assert _run(["run", str(out / victim), "--input-format", "jsonl", "-o", f"{out}/", "-q"]) == 2
        assert "is an input file" in capsys.readouterr().err
        assert (out / victim).read_bytes() == before
    # the same for shards of a file target
    assert _run(["run", str(out / "part-00002.jsonl"), "-o", str(out / "part.jsonl"), "--shard-size", "4"]) == 2
    assert "is an input file" in capsys.readouterr().err
    # a file where a folder is asked for
    (tmp_path / "file.jsonl").write_text("x\n")
    assert _run(["run", str(pages), "-o", f"{tmp_path}/file.jsonl/", "-q"]) == 2
    assert "is a file" in capsys.readouterr().err
    # parts beside the input, not matched by --glob: fine
    assert _run(["run", str(pages), "-o", f"{pages}/out/", "-q", "-j", "1"]) == 0
    assert listing(pages / "out") == parts(1)
