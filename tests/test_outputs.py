"""What `run`'s outputs (-o, --report, --removed) do with the names they are given, and
what `check` reads back: links, devices, FIFOs and stdout; folders that cannot be
written (found before any work, exit 2) and writes that fail at the end (exit 6);
compressed names; folders of parts in any format; a reader that goes away (SIGPIPE)."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard

from corpus_clean.cli.app import EXIT_USAGE, EXIT_WRITE_FAILED, main
from corpus_clean.io.atomic import OutputClosed, PipeClosed, output_target, stops_on_closed_pipe

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TIMEOUT = 300  # seconds; a bound for a hung process, never a measurement


@pytest.fixture(autouse=True)
def project_root(tmp_path, monkeypatch) -> Path:
    """Each test in its own folder (relative names land there; no pyproject.toml above is read)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> bytes:
    """The seeds' output as a plain file, to compare every other way of writing it with."""
    target = tmp_path_factory.mktemp("expected") / "out.jsonl"
    assert cli("run", str(SEEDS), "-o", str(target)) == 0
    return target.read_bytes()


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Path:
    """Private stand-ins for /dev's null, full, stdout and stderr (the same devices, the
    same links), so that a writer that replaced what it was given would replace these,
    never the system's own."""
    folder = tmp_path_factory.mktemp("dev")
    try:
        os.mknod(folder / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.mknod(folder / "full", stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (OSError, AttributeError) as err:
        pytest.skip(f"cannot make device files here ({err})")
    (folder / "stdout").symlink_to("/proc/self/fd/1")
    (folder / "stderr").symlink_to("/proc/self/fd/2")
    return folder


def cli(*args: str) -> int:
    """Run the console entry point in this process; its exit code."""
    with pytest.raises(SystemExit) as exit_:
        main([*args, "-q", "-j", "1"] if args[0] == "run" else list(args))
    return exit_.value.code


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def one_error_line(err: str, *phrases: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert all(phrase in lines[0] for phrase in phrases), lines[0]


# --- links, devices, FIFOs, stdout ------------------------------------------------------


def test_a_symlink_output_is_written_through_and_stays_a_link(tmp_path, expected):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    (real_folder / "corpus.jsonl").write_text("old\n")
    (real_folder / "report.json").write_text("{}\n")
    (tmp_path / "link.jsonl").symlink_to(real_folder / "corpus.jsonl")
    (tmp_path / "report-link.json").symlink_to("real/report.json")  # relative, as `ln -s` makes them
    assert cli("run", str(SEEDS), "-o", "link.jsonl", "--report", "report-link.json") == 0
    assert (tmp_path / "link.jsonl").is_symlink() and (tmp_path / "report-link.json").is_symlink()
    assert (real_folder / "corpus.jsonl").read_bytes() == expected
    assert json.loads((real_folder / "report.json").read_text())["overall"]["articles"] == 9
    # the temporary files were beside the targets, and are gone
    assert listing(real_folder) == ["corpus.jsonl", "report.json"]
    assert listing(tmp_path) == [".git", "link.jsonl", "real", "report-link.json"]


def test_a_dangling_symlink_gets_its_target_made(tmp_path, expected):
    (tmp_path / "link.jsonl").symlink_to("made.jsonl")
    assert cli("run", str(SEEDS), "-o", "link.jsonl") == 0
    assert (tmp_path / "link.jsonl").is_symlink() and (tmp_path / "made.jsonl").read_bytes() == expected


def test_a_character_device_is_written_into_not_replaced(dev):
    null = str(dev / "null")
    before = os.stat(null)
    assert cli("run", str(SEEDS), "-o", null, "--report", null, "--removed", null) == 0
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.jsonl.gz"])
def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path, expected, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    received: list[bytes] = []
    # the reader opens the FIFO (waiting for the writer) and reads to its end
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert cli("run", str(SEEDS), "-o", name) == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # (were it replaced, the reader would wait for ever)
    reader.join(TIMEOUT)
    data = received[0]
    assert (gzip.decompress(data) if name.endswith(".gz") else data) == expected


def test_dash_is_stdout_and_no_file_named_dash_is_made(tmp_path, capfd, expected):
    assert cli("run", str(SEEDS), "-o", "-") == 0
    assert capfd.readouterr().out.encode() == expected
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("option", ["--report", "--removed"])
@pytest.mark.parametrize("name", ["-", "{dev}/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_report_and_removed_go_to_stdout_when_the_articles_go_to_a_file(tmp_path, capfd, dev, option, name):
    name = name.format(dev=dev)
    assert cli("run", str(SEEDS), "-o", "first.jsonl", option, "as-file") == 0
    as_file = (tmp_path / "as-file").read_text()
    capfd.readouterr()
    assert cli("run", str(SEEDS), "-o", "out.jsonl", option, name) == 0
    out = capfd.readouterr().out
    if option == "--report":  # the same report but for its times and output names
        assert json.loads(out)["overall"]["articles"] == json.loads(as_file)["overall"]["articles"] == 9
    else:
        assert out == as_file and len(out.splitlines()) > 9
    assert listing(tmp_path) == [".git", "as-file", "first.jsonl", "out.jsonl"]


def test_stderr_names_are_written_into_not_replaced(capfd, dev):
    assert cli("run", str(SEEDS), "-o", "out.jsonl", "--report", str(dev / "stderr")) == 0
    assert json.loads(capfd.readouterr().err)["overall"]["articles"] == 9
    assert os.readlink(dev / "stderr") == "/proc/self/fd/2"


@pytest.mark.parametrize(
    "args",
    [
        ["--report", "-"],  # the articles go to stdout too (no -o)
        ["-o", "-", "--removed", "-"],
        ["-o", "{dev}/stdout", "--report", "/dev/fd/1"],
        ["-o", "out.jsonl", "--report", "-", "--removed", "/proc/self/fd/1"],
    ],
)
def test_two_outputs_on_stdout_are_a_usage_error(tmp_path, capfd, dev, args):
    assert cli("run", str(SEEDS), *[arg.format(dev=dev) for arg in args]) == EXIT_USAGE
    out, err = capfd.readouterr()
    assert out == ""
    one_error_line(err, "write to stdout")
    assert listing(tmp_path) == [".git"]


def test_shards_of_a_stream_are_a_usage_error(capsys, dev):
    assert cli("run", str(SEEDS), "-o", str(dev / "null"), "--shard-size", "2") == EXIT_USAGE
    one_error_line(capsys.readouterr().err, "--shard-size", str(dev / "null"))


def test_output_target_reads_names_as_a_shell_does(tmp_path):
    assert output_target("-").fd == 1 and output_target("/dev/stdout").is_stdout
    assert output_target("/dev/stderr").fd == 2 and output_target("/proc/self/fd/2").fd == 2
    (tmp_path / "out").symlink_to("/dev/fd/1")
    assert output_target(tmp_path / "out").fd == 1  # through a link to a descriptor's name
    assert output_target("/dev/null").is_stream and not output_target(tmp_path / "x.jsonl").is_stream


# --- outputs that cannot be written: before the run, and at its end --------------------


def _can_make_immutable(folder: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0


@pytest.mark.parametrize("option", ["-o", "--report", "--removed"])
@pytest.mark.parametrize(
    "name, phrase",
    [
        ("a-file/out.jsonl", "a-file is a file, not a folder"),
        ("/proc/out.json", "cannot create files in folder /proc"),
        ("missing/out.jsonl", "folder missing does not exist"),
    ],
)
def test_an_output_that_cannot_be_made_is_refused_before_any_work(tmp_path, capsys, monkeypatch, option, name, phrase):
    (tmp_path / "a-file").write_text("not a folder\n")
    monkeypatch.setattr("corpus_clean.cli.run.clean", _no_work)
    args = ["-o", "out.jsonl"] if option != "-o" else []
    assert cli("run", str(SEEDS), *args, option, name) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, name, phrase)
    assert listing(tmp_path) == [".git", "a-file"]


@pytest.mark.parametrize("name", ["a-file/parts/", "a-file/deeper/parts/", "/proc/parts/", "/proc/deeper/parts/"])
def test_a_folder_of_parts_that_cannot_be_made_is_refused_before_any_work(tmp_path, capsys, monkeypatch, name):
    (tmp_path / "a-file").write_text("not a folder\n")
    monkeypatch.setattr("corpus_clean.cli.run.clean", _no_work)
    assert cli("run", str(SEEDS), "-o", name) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, "--output", name.rstrip("/"))
    assert listing(tmp_path) == [".git", "a-file"]


@pytest.mark.parametrize("output", ["ro/out.jsonl", "ro/out.parquet", "ro/parts/", "ro/"])
def test_an_immutable_folder_is_refused_before_any_work(tmp_path, capsys, monkeypatch, output):
    (tmp_path / "ro").mkdir()
    if not _can_make_immutable(tmp_path / "ro"):
        pytest.skip("chattr +i is not available here (a root user writes anywhere else)")
    try:
        monkeypatch.setattr("corpus_clean.cli.run.clean", _no_work)
        assert cli("run", str(SEEDS), "-o", output) == EXIT_USAGE
        one_error_line(capsys.readouterr().err, "--output", "ro", "Operation not permitted")
        assert listing(tmp_path / "ro") == []
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "ro")], check=True)


def _no_work(*args, **kwargs):
    raise AssertionError("the run started although an output cannot be written")


def test_a_write_that_fails_at_the_end_is_one_line_and_exit_6(tmp_path, capsys, dev):
    full = str(dev / "full")
    assert cli("run", str(SEEDS), "-o", full) == EXIT_WRITE_FAILED
    one_error_line(capsys.readouterr().err, f"cannot write --output {full}", "No space left", "nothing was written")


def test_a_report_that_fails_says_the_output_was_written(tmp_path, capsys, expected, dev):
    full = str(dev / "full")
    assert cli("run", str(SEEDS), "-o", "out.jsonl", "--report", full) == EXIT_WRITE_FAILED
    one_error_line(capsys.readouterr().err, f"cannot write --report {full}", "--output written, the rest not")
    assert (tmp_path / "out.jsonl").read_bytes() == expected


def test_a_removed_sidecar_that_fails_leaves_no_output(tmp_path, capsys, dev):
    full = str(dev / "full")
    assert cli("run", str(SEEDS), "-o", "out.jsonl", "--removed", full) == EXIT_WRITE_FAILED
    one_error_line(capsys.readouterr().err, f"cannot write --removed {full}", "nothing was written")
    assert listing(tmp_path) == [".git"]


def test_stdout_that_fails_is_one_line_and_exit_6(tmp_path, dev):
    with open(dev / "full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "corpus_clean.cli.app", "run", str(SEEDS), "-q", "-j", "1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT,
        )
    assert done.returncode == EXIT_WRITE_FAILED
    one_error_line(done.stderr, "cannot write the articles to stdout", "No space left")


@pytest.mark.parametrize("output", ["out.jsonl", "out.parquet", "parts/", "out.jsonl --shard-size 4"])
def test_a_file_that_cannot_be_synced_leaves_nothing_behind(tmp_path, capsys, monkeypatch, output):
    def full(fd):
        raise OSError(28, "No space left on device")

    (tmp_path / "parts").mkdir()
    monkeypatch.setattr(os, "fsync", full)
    assert cli("run", str(SEEDS), "-o", *output.split()) == EXIT_WRITE_FAILED
    one_error_line(capsys.readouterr().err, "cannot write --output", "No space left")
    assert listing(tmp_path) == [".git", "parts"] and listing(tmp_path / "parts") == []


# --- compressed names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, decompress",
    [
        ("out.jsonl.gz", gzip.decompress),
        ("out.gz", gzip.decompress),
        ("out.jsonl.bz2", bz2.decompress),
        ("out.bz2", bz2.decompress),
        ("out.jsonl.zst", lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data)),
        ("OUT.ZST", lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data)),
    ],
)
def test_compressed_names_get_compressed_jsonl(tmp_path, expected, name, decompress):
    assert cli("run", str(SEEDS), "-o", name) == 0
    data = (tmp_path / name).read_bytes()
    assert data != expected and decompress(data) == expected
    assert cli("run", str(SEEDS), "-o", "again-" + name) == 0
    assert (tmp_path / ("again-" + name)).read_bytes() == data  # the same bytes every run


@pytest.mark.parametrize(
    "name, phrase",
    [
        ("out.parquet.gz", "Parquet is not compressed from outside"),
        ("out.parquet.zst", "Parquet is not compressed from outside"),
        ("out.xz", "cannot write .xz files"),
        ("out.jsonl.xz", "cannot write .xz files"),
        ("out.zip", "cannot write .zip files"),
        ("out.tar.gz", "cannot write .tar archives"),
        ("out.jsonl.lz4", "cannot write .lz4 files"),
        ("parts.xz/", "cannot write .xz files"),
        ("parts.parquet.gz/", "Parquet is not compressed from outside"),
    ],
)
def test_names_whose_format_is_not_written_are_refused(tmp_path, capsys, name, phrase):
    assert cli("run", str(SEEDS), "-o", name) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, "--output", phrase)
    assert listing(tmp_path) == [".git"]


# --- folders of parts in any format ----------------------------------------------------


def test_a_parquet_folder_gets_parquet_parts(tmp_path, expected):
    assert cli("run", str(SEEDS), "-o", "corpus.parquet/", "--shard-size", "4") == 0
    parts = listing(tmp_path / "corpus.parquet")
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    rows = [row for part in parts for row in pq.read_table(tmp_path / "corpus.parquet" / part).to_pylist()]
    assert rows == [json.loads(line) for line in expected.decode().splitlines()]


@pytest.mark.parametrize(
    "args, part",
    [
        (["-o", "corpus.jsonl.gz/"], "part-00000.jsonl.gz"),
        (["-o", "corpus.bz2/"], "part-00000.jsonl.bz2"),
        (["-o", "out/", "--part-format", "jsonl.zst"], "part-00000.jsonl.zst"),
        (["-o", "out/", "--part-format", "parquet"], "part-00000.parquet"),
        (["-o", "corpus.jsonl/", "--part-format", "jsonl"], "part-00000.jsonl"),
        (["-o", "out/"], "part-00000.jsonl"),
    ],
)
def test_the_parts_take_the_format_the_folder_or_part_format_asks_for(tmp_path, args, part):
    assert cli("run", str(SEEDS), *args) == 0
    folder = tmp_path / args[1].rstrip("/")
    assert listing(folder) == [part]
    assert cli("check", str(folder), "-q") == 0


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["-o", "corpus.parquet/", "--part-format", "jsonl"], "asks for parquet parts"),
        (["-o", "out.jsonl", "--part-format", "parquet"], "--part-format is for a folder of parts"),
        (["--part-format", "parquet"], "--part-format is for a folder of parts"),
        (["-o", "out/", "--part-format", "csv"], "--part-format must be one of jsonl, jsonl.gz"),
    ],
)
def test_part_format_mistakes_are_usage_errors(tmp_path, capsys, args, phrase):
    assert cli("run", str(SEEDS), *args) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, phrase)
    assert listing(tmp_path) == [".git"]


# --- check reads every layout run writes -----------------------------------------------


@pytest.mark.parametrize(
    "output, check_args",
    [
        ("out.jsonl.gz", ["out.jsonl.gz"]),
        ("out.bz2", ["out.bz2"]),
        ("out.jsonl.zst", ["out.jsonl.zst"]),
        ("out.parquet", ["out.parquet"]),
        ("out.jsonl --shard-size 4", ["out-00000.jsonl", "out-00001.jsonl", "out-00002.jsonl"]),
        ("out.parquet --shard-size 4", ["out-00000.parquet", "out-00001.parquet", "out-00002.parquet"]),
        ("parts/ --shard-size 4", ["parts"]),
        ("parts.parquet/ --shard-size 4", ["parts.parquet/"]),
    ],
)
def test_check_reads_what_run_wrote(tmp_path, capsys, output, check_args):
    assert cli("run", str(SEEDS), "-o", *output.split()) == 0
    capsys.readouterr()
    assert cli("check", *check_args, "--output-format", "json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["summary"]["articles"] == 9


@pytest.mark.parametrize("name", ["out.jsonl.gz", "out.bz2", "out.jsonl.zst", "out.parquet"])
def test_check_reads_compressed_and_parquet_on_stdin(tmp_path, capsys, monkeypatch, name):
    assert cli("run", str(SEEDS), "-o", name) == 0
    capsys.readouterr()
    with open(name, "rb") as stdin:
        monkeypatch.setattr(sys, "stdin", _TextOver(stdin))
        assert cli("check", "-", "--output-format", "json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["file"] == "<stdin>" and result["summary"]["articles"] == 9


class _TextOver:
    """What sys.stdin looks like to a command: a text stream with its bytes as `.buffer`."""

    def __init__(self, binary) -> None:
        self.buffer = binary


def test_check_finds_a_duplicate_across_shards_and_names_both_files(tmp_path, capsys):
    assert cli("run", str(SEEDS), "-o", "a.jsonl.gz") == 0
    assert cli("run", str(SEEDS), "-o", "b.parquet") == 0
    capsys.readouterr()
    assert cli("check", "a.jsonl.gz", "b.parquet") == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 9
    assert out[0].startswith("b.parquet:1: duplicate-id: id ") and out[0].endswith("is already on line 1 of a.jsonl.gz")


def test_check_reports_a_truncated_file_as_unreadable(tmp_path, capsys):
    assert cli("run", str(SEEDS), "-o", "out.jsonl.gz") == 0
    data = Path("out.jsonl.gz").read_bytes()
    Path("cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    capsys.readouterr()
    assert cli("check", "cut.jsonl.gz") == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("cut.jsonl.gz: unreadable: cannot be read after line ")


@pytest.mark.parametrize(
    "setup, args, phrase",
    [
        ("mixed", ["parts"], "holds parts of several formats"),
        ("empty", ["parts"], "is a folder without parts"),
        ("shards", ["out.jsonl"], "it was written as 3 shard(s): give them all (out-*.jsonl)"),
        ("none", ["-", "-"], "can be read only once"),
    ],
)
def test_check_usage_errors_about_layouts(tmp_path, capsys, setup, args, phrase):
    if setup == "mixed":
        assert cli("run", str(SEEDS), "-o", "parts/") == 0
        assert cli("run", str(SEEDS), "-o", "parts/", "--part-format", "parquet") == 0
    elif setup == "empty":
        (tmp_path / "parts").mkdir()
    elif setup == "shards":
        assert cli("run", str(SEEDS), "-o", "out.jsonl", "--shard-size", "4") == 0
    capsys.readouterr()
    assert cli("check", *args) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, phrase)


# --- a reader that goes away -----------------------------------------------------------


def with_stdout_closed(args: list[str], env: dict | None = None) -> tuple[int, bytes]:
    """Run the CLI with its stdout a pipe closed before the first byte is written (so
    nothing depends on how fast either side is): (return code, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "corpus_clean.cli.app", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    process.stdout.close()
    try:
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    return process.returncode, err


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")
@pytest.mark.parametrize(
    "args",
    [
        ["run", str(SEEDS), "-j", "1"],
        ["run", str(SEEDS), "-j", "1", "-o", "/dev/fd/1"],
        ["run", str(SEEDS), "-j", "1", "-o", "-", "-q"],
        ["schema"],
        ["explain", str(SEEDS / "000_4219543f79debe9f.txt"), "-j", "1"],
        ["check", str(SEEDS / "000_4219543f79debe9f.txt")],  # not JSONL: problems on every line
    ],
)
def test_a_closed_stdout_ends_the_run_by_sigpipe_without_a_word(tmp_path, args):
    """As `sort`, `gzip` and `jq` do in `... | head -1`: killed by SIGPIPE (141 in a shell),
    nothing on stderr, nothing left behind. The pipe is closed before the first byte is
    written, so this does not depend on how fast either side is."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    code, err = with_stdout_closed(args, env={**os.environ, "TMPDIR": str(spool)})
    assert code == -signal.SIGPIPE, err.decode()
    assert b"Traceback" not in err and b"error" not in err.lower()
    assert listing(spool) == []
    assert listing(tmp_path) == ["tmp"] or listing(tmp_path) == [".git", "tmp"]


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")
def test_a_closed_stdout_ends_check_by_sigpipe(tmp_path, expected):
    Path("out.jsonl").write_bytes(expected)
    assert with_stdout_closed(["check", "out.jsonl", "--output-format", "json"]) == (-signal.SIGPIPE, b"")


def test_a_broken_pipe_that_is_not_an_output_stays_an_error():
    """A pipe to a worker process that breaks is a failure, not a reader that has read enough."""

    @stops_on_closed_pipe
    def internal():
        raise BrokenPipeError(32, "Broken pipe")

    @stops_on_closed_pipe
    def output():
        raise OutputClosed(32, "Broken pipe", "out.fifo")

    with pytest.raises(BrokenPipeError):
        internal()
    with pytest.raises(PipeClosed):
        output()


def test_the_library_writers_read_names_as_the_command_does(tmp_path, capsys, expected, dev):
    from corpus_clean import Config, clean
    from corpus_clean.io.write import write_articles, write_jsonl

    articles = list(clean([SEEDS], Config(jobs=1)))
    assert write_articles(articles, "-").files == () and write_jsonl(articles, "-") == 9
    assert capsys.readouterr().out.encode() == expected * 2
    (tmp_path / "link.jsonl").symlink_to("target.jsonl")
    assert write_jsonl(articles, tmp_path / "link.jsonl") == 9
    assert (tmp_path / "link.jsonl").is_symlink() and (tmp_path / "target.jsonl").read_bytes() == expected
    with pytest.raises(ValueError, match="single stream"):
        write_articles(articles, dev / "null", shard_size=2)
    assert listing(tmp_path) == [".git", "link.jsonl", "target.jsonl"]


@pytest.mark.parametrize("name, phrase", [("a-file/spool", "a-file is a file"), ("missing", "does not exist")])
def test_a_spool_folder_that_cannot_be_used_is_refused_before_any_work(tmp_path, capsys, monkeypatch, name, phrase):
    (tmp_path / "a-file").write_text("not a folder\n")
    monkeypatch.setattr("corpus_clean.cli.run.clean", _no_work)
    assert cli("run", str(SEEDS), "-o", "out.jsonl", "--spool-dir", name) == EXIT_USAGE
    one_error_line(capsys.readouterr().err, "--spool-dir", phrase)


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")
def test_a_closed_stdout_leaves_no_spooled_pages_behind(tmp_path_factory):
    """Pages taken out of a JSONL file wait in a temporary folder: gone when SIGPIPE ends the run."""
    folder = tmp_path_factory.mktemp("spooled")
    pages = folder / "pages.jsonl"
    pages.write_text(
        "".join(json.dumps({"text": page.read_text(encoding="utf-8")}) + "\n" for page in sorted(SEEDS.glob("*.txt")))
    )
    spool = folder / "tmp"
    spool.mkdir()
    args = ["run", str(pages), "-j", "2", "--spool-dir", str(spool)]
    assert with_stdout_closed(args, env={**os.environ, "TMPDIR": str(spool)}) == (-signal.SIGPIPE, b"")
    assert listing(spool) == []
