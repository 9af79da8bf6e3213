"""Stage 7: every output kind holds exactly the articles, read back by readers other than ours.

The articles come from the seed pages (nine: four untitled teasers on five pages, one
undated article), so null titles and dates and multi-file `sources` are all on the line.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import signal
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest import REPO, SEEDS

from corpus_clean import Config, clean
from corpus_clean.io import write as write_module
from corpus_clean.io.write import (
    WriteResult,
    article_schema,
    output_kind,
    parquet_schema,
    shard_path,
    write_articles,
    write_jsonl,
)

KINDS = ["jsonl", "jsonl.gz", "jsonl.bz2", "jsonl.zst", "parquet"]
COLUMNS = list(article_schema()["properties"])  # every output field, in schema order


@pytest.fixture(scope="module")
def articles():
    found = list(clean([SEEDS], Config(jobs=1)))
    assert len(found) >= 9
    found = found[:9]
    # what makes the round trip worth checking: nulls and lists of several files
    assert any(a.title is None for a in found) and any(a.date is None for a in found)
    assert any(len(a.sources) > 1 for a in found)
    return found


def rows(articles) -> list[dict]:
    return [a.to_dict() for a in articles]


def unzstd(data: bytes) -> bytes:
    """Decompress one zstd frame, insisting that it is complete (a reader could stop early)."""
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    out = decompressor.decompress(data)
    assert decompressor.eof, "the zstd frame is not ended"
    return out


def read_back(path) -> list[dict]:
    """Rows of an output file, with stdlib json, gzip, zstandard or pyarrow (not our code)."""
    name = path.name
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".bz2"):
        data = bz2.decompress(data)
    elif name.endswith(".zst"):
        data = unzstd(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def duckdb_rows(path) -> list[dict]:
    """Rows of an output file as duckdb reads them (its own Parquet, JSON and gzip readers)."""
    quoted = str(path).replace("'", "''")
    reader = f"read_parquet('{quoted}')" if path.name.endswith(".parquet") else f"read_json_auto('{quoted}')"
    # read_json_auto types ISO dates as DATE; as text they are the strings written
    select = ", ".join("cast(date as varchar) as date" if c == "date" else c for c in COLUMNS)
    with duckdb.connect() as con:
        result = con.sql(f"select {select} from {reader}").fetchall()
    return [dict(zip(COLUMNS, row)) for row in result]


def listing(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("out.jsonl", "jsonl"),
        ("out.jsonl.gz", "jsonl.gz"),
        ("out.jsonl.zst", "jsonl.zst"),
        ("out.parquet", "parquet"),
        ("OUT.JSONL.GZ", "jsonl.gz"),
        ("out.json", "jsonl"),
        ("out.txt", "jsonl"),
        ("out", "jsonl"),
        ("archive.parquet.jsonl", "jsonl"),
    ],
)
def test_the_name_decides_the_kind(name, kind, tmp_path):
    assert output_kind(tmp_path / name) == kind
    assert output_kind(name) == kind


def test_stdout_is_jsonl():
    assert output_kind(None) == "jsonl"


@pytest.mark.parametrize(
    ("name", "index", "shard"),
    [
        ("out.jsonl", 0, "out-00000.jsonl"),
        ("out.jsonl.gz", 1, "out-00001.jsonl.gz"),
        ("out.jsonl.zst", 2, "out-00002.jsonl.zst"),
        ("out.parquet", 0, "out-00000.parquet"),
        ("Out.JSONL.GZ", 3, "Out-00003.JSONL.GZ"),
        ("out.txt", 0, "out-00000.txt"),
        ("out", 0, "out-00000"),
        ("out.jsonl", 123456, "out-123456.jsonl"),
    ],
)
def test_shard_names_come_from_the_target(name, index, shard, tmp_path):
    assert shard_path(tmp_path / name, index) == tmp_path / shard


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_reads_back_as_the_articles_in_order(kind, articles, tmp_path):
    target = tmp_path / f"out.{kind}"
    result = write_articles(articles, target)
    assert result == WriteResult(count=9, files=(target,))
    assert read_back(target) == rows(articles)
    assert listing(tmp_path) == [target.name]


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "parquet"])
def test_duckdb_reads_the_same_rows(kind, articles, tmp_path):
    target = tmp_path / f"out.{kind}"
    write_articles(articles, target)
    assert duckdb_rows(target) == rows(articles)


@pytest.mark.parametrize("kind", ["jsonl.gz", "jsonl.zst"])
def test_compressed_jsonl_holds_exactly_the_plain_jsonl_bytes(kind, articles, tmp_path):
    write_articles(articles, tmp_path / "plain.jsonl")
    write_articles(articles, tmp_path / f"out.{kind}")
    packed = (tmp_path / f"out.{kind}").read_bytes()
    unpacked = gzip.decompress(packed) if kind == "jsonl.gz" else unzstd(packed)
    assert unpacked == (tmp_path / "plain.jsonl").read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_articles_give_the_same_bytes(kind, articles, tmp_path):
    target = tmp_path / f"out.{kind}"
    write_articles(articles, target)
    first = target.read_bytes()
    write_articles(articles, target)
    assert target.read_bytes() == first


def test_parquet_has_the_json_schema_fields_with_explicit_types(articles, tmp_path):
    target = tmp_path / "out.parquet"
    write_articles(articles, target)
    schema = pq.read_schema(target)
    assert schema.equals(parquet_schema())
    assert schema.names == COLUMNS
    for name in ("id", "text", "source"):
        assert schema.field(name).type == pa.string() and not schema.field(name).nullable
    for name in ("title", "date", "lang"):  # null where the JSON Schema allows null
        assert schema.field(name).type == pa.string() and schema.field(name).nullable
    assert schema.field("sources").type.value_type == pa.string()
    assert pa.types.is_list(schema.field("sources").type) and not schema.field("sources").nullable
    assert schema.field("n_chars").type == pa.int64()


def test_parquet_is_written_in_row_groups_while_streaming(articles, tmp_path, monkeypatch):
    monkeypatch.setattr(write_module, "PARQUET_BATCH_ROWS", 4)
    target = tmp_path / "rows.parquet"
    write_articles(iter(articles), target)
    meta = pq.ParquetFile(target).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 1]
    assert read_back(target) == rows(articles)

    # a batch also ends when its text is large, whatever the row count
    monkeypatch.setattr(write_module, "PARQUET_BATCH_CHARS", 1)
    write_articles(iter(articles), target)
    assert pq.ParquetFile(target).metadata.num_row_groups == 9
    assert read_back(target) == rows(articles)


@pytest.mark.parametrize("kind", KINDS)
def test_shards_hold_at_most_n_articles_in_order(kind, articles, tmp_path):
    target = tmp_path / f"out.{kind}"
    result = write_articles(iter(articles), target, shard_size=4)
    names = [f"out-0000{i}.{kind}" for i in range(3)]
    assert result == WriteResult(count=9, files=tuple(tmp_path / n for n in names))
    assert listing(tmp_path) == names  # no unsharded target, no temporary file
    parts = [read_back(tmp_path / n) for n in names]
    assert [len(p) for p in parts] == [4, 4, 1]
    assert [row for part in parts for row in part] == rows(articles)


def test_an_exact_multiple_makes_no_empty_last_shard(articles, tmp_path):
    result = write_articles(articles[:8], tmp_path / "out.jsonl", shard_size=4)
    assert [p.name for p in result.files] == ["out-00000.jsonl", "out-00001.jsonl"]
    assert listing(tmp_path) == ["out-00000.jsonl", "out-00001.jsonl"]


def test_stale_shards_of_an_earlier_run_are_removed(articles, tmp_path):
    for i in range(6):
        (tmp_path / f"out-{i:05d}.jsonl").write_text("old\n")
    kept = {
        "out.jsonl": "the unsharded output\n",
        "out-00007.jsonl.gz": "another kind's shard\n",
        "out-7.jsonl": "not a name corpus-clean writes\n",
        "out-00009.JSONL": "another spelling of the extension\n",
        "other-00005.jsonl": "another prefix\n",
    }
    for name, text in kept.items():
        (tmp_path / name).write_text(text)
    write_articles(articles, tmp_path / "out.jsonl", shard_size=4)
    assert listing(tmp_path) == sorted([*kept, "out-00000.jsonl", "out-00001.jsonl", "out-00002.jsonl"])
    assert all((tmp_path / name).read_text() == text for name, text in kept.items())
    assert [len(read_back(tmp_path / f"out-0000{i}.jsonl")) for i in range(3)] == [4, 4, 1]


@pytest.mark.parametrize("kind", KINDS)
def test_zero_articles_give_one_empty_valid_file(kind, tmp_path):
    target = tmp_path / f"out.{kind}"
    assert write_articles([], target) == WriteResult(count=0, files=(target,))
    assert read_back(target) == []
    if kind == "jsonl":
        assert target.read_bytes() == b""
    if kind == "parquet":
        assert pq.read_schema(target).equals(parquet_schema())
        assert duckdb_rows(target) == []

    result = write_articles(iter([]), target, shard_size=4)
    assert result == WriteResult(count=0, files=(tmp_path / f"out-00000.{kind}",))
    assert read_back(result.files[0]) == []


def fail_after_three(articles, error: type[BaseException]):
    yield from articles[:3]
    raise error("disk full")


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_mid_write_leaves_no_file_and_no_temporary(kind, error, articles, tmp_path):
    with pytest.raises(error):
        write_articles(fail_after_three(articles, error), tmp_path / f"out.{kind}")
    with pytest.raises(error):
        write_articles(fail_after_three(articles, error), tmp_path / f"out.{kind}", shard_size=2)
    assert listing(tmp_path) == []  # not even the shard that was complete before the failure


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_mid_write_leaves_the_previous_output_byte_identical(kind, articles, tmp_path):
    target = tmp_path / f"out.{kind}"
    write_articles(articles[3:], target)
    write_articles(articles[3:], target, shard_size=2)
    before = {name: (tmp_path / name).read_bytes() for name in listing(tmp_path)}
    assert len(before) == 4
    with pytest.raises(KeyboardInterrupt):
        write_articles(fail_after_three(articles, KeyboardInterrupt), target)
    with pytest.raises(RuntimeError):
        write_articles(fail_after_three(articles, RuntimeError), target, shard_size=1)
    assert {name: (tmp_path / name).read_bytes() for name in listing(tmp_path)} == before


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="signals are held with pthread_sigmask")
def test_an_interrupt_while_shards_are_renamed_waits_until_all_are_in_place(articles, tmp_path, monkeypatch):
    real_replace = os.replace
    calls = []

    def replace_then_interrupt(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # Ctrl-C between two renames
            # to this thread, not the process: a signal sent to the process may be taken
            # by another thread, and reach Python only after the block has ended
            signal.raise_signal(signal.SIGINT)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    # Ctrl-C as a run meets it, whatever earlier tests left: Python's own handler, not blocked
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    try:
        with pytest.raises(KeyboardInterrupt):
            write_articles(articles, tmp_path / "out.jsonl", shard_size=4)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, before)
    assert calls and len(calls) == 3
    assert listing(tmp_path) == ["out-00000.jsonl", "out-00001.jsonl", "out-00002.jsonl"]
    assert [row for i in range(3) for row in read_back(tmp_path / f"out-0000{i}.jsonl")] == rows(articles)


def test_shard_size_with_stdout_is_refused_before_reading(capsys):
    def untouchable():
        raise AssertionError("the articles were read")
        yield

    with pytest.raises(ValueError, match="stdout"):
        write_articles(untouchable(), None, shard_size=4)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("size", [0, -1, 2.5, True, "4"])
def test_shard_size_must_be_a_positive_whole_number(size, tmp_path):
    with pytest.raises(ValueError, match="shard_size"):
        write_articles([], tmp_path / "out.jsonl", shard_size=size)
    assert listing(tmp_path) == []


def test_stdout_gets_whole_jsonl_lines(articles, capsys):
    assert write_articles(articles, None) == WriteResult(count=9, files=())
    out = capsys.readouterr().out
    assert out.endswith("\n") and [json.loads(line) for line in out.splitlines()] == rows(articles)


@pytest.mark.parametrize("name", ["out.txt", "out", "out.json"])
def test_an_unknown_extension_gets_jsonl(name, articles, tmp_path):
    write_articles(articles, tmp_path / "plain.jsonl")
    write_articles(articles, tmp_path / name)
    assert (tmp_path / name).read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_write_jsonl_still_writes_jsonl_and_returns_the_count(articles, tmp_path):
    assert write_jsonl(articles, tmp_path / "a.jsonl") == 9
    write_articles(articles, tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


@pytest.mark.parametrize(("kind", "module"), [("jsonl.zst", "zstandard"), ("parquet", "pyarrow.parquet")])
def test_a_missing_package_is_a_clear_error_before_any_file(kind, module, articles, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # import now fails as if not installed
    target = tmp_path / f"out.{kind}"
    for call in (lambda: output_kind(target), lambda: write_articles(articles, target, shard_size=4)):
        with pytest.raises(
            ValueError, match=rf"\.{kind}.*supported: \.jsonl, \.jsonl\.gz, \.jsonl\.bz2, \.jsonl\.zst, \.parquet"
        ):
            call()
    assert listing(tmp_path) == []
    assert output_kind(tmp_path / "out.jsonl.gz") == "jsonl.gz"  # the other kinds still work


def test_jsonl_and_gzip_do_not_import_pyarrow_or_zstandard(tmp_path):
    code = (
        "import sys\n"
        "from corpus_clean.io.write import write_articles\n"
        f"write_articles([], {str(tmp_path / 'a.jsonl')!r})\n"
        f"write_articles([], {str(tmp_path / 'b.jsonl.gz')!r})\n"
        "print(sorted(m for m in ('pyarrow', 'zstandard') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_new_files_get_the_usual_permissions_and_replaced_ones_keep_theirs(articles, tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "out.parquet"
    write_articles(articles, target)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    target.chmod(0o640)
    write_articles(articles, target)
    assert target.stat().st_mode & 0o777 == 0o640
