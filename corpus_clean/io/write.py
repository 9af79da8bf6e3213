"""Articles out, in the format the target's name asks for, never half a file.

The name decides the format (`output_kind`), so a user says what they want in one
place: JSONL (any name not listed below, as corpus-clean always wrote); JSONL
compressed with gzip, bzip2 or zstd when the name ends in `.gz`, `.bz2` or `.zst`
(`out.jsonl.gz`, `out.gz`: the compressions `run` reads), because a corpus is mostly
text, which compresses well, and stays line-oriented when read back as a stream;
`.parquet` for column readers (duckdb, pandas, Spark), with explicit types, so a null
title stays a nullable string and not whatever a reader guesses from the first rows.
A name that asks for what cannot be written is refused before anything is written
(ValueError): another compression (`.xz`, `.zip`, ...), or a compressed Parquet name
(`.parquet.gz`: Parquet compresses inside the file). pyarrow and zstandard are imported
only when their format is asked for: plain JSONL must not pay for them, and a
missing one is a ValueError naming the extension before anything is written.

Every file is first written to a temporary file beside its target (same folder, so
the rename cannot cross file systems), the compressor or Parquet footer is closed,
the data is fsynced, and only then is it renamed over the target: an interrupted
or failed run leaves the previous file (or none), never a partial one, and removes
its temporary files. A symbolic link is written through (its target replaced, the
link kept); "-", /dev/stdout and the like, a device or a FIFO are written straight
into (see `atomic.output_target`). A write that fails raises `atomic.OutputError`,
naming the output. Compressed output is byte-identical from run to run (gzip and
bzip2 without time stamp or file name), like the JSONL itself.

`shard_size` splits a large corpus into files of at most that many articles, named
`out-00000.jsonl`, `out-00001.jsonl`, ... from `out.jsonl`. A set of shards is one
output, so it is all or nothing: every shard is written to a temporary file first
and renamed only when the last one is complete, with Ctrl-C and SIGTERM held back
during those renames. Shards of an earlier run with the same name and extension
beyond the new count are then deleted, so a glob over `out-*.jsonl` sees exactly
the new output; the unsharded `out.jsonl`, and shards with another extension, are
left alone.

A target that names a folder (an existing folder, or a name ending in "/": `out/`)
gets the corpus as parts, `out/part-00000.jsonl`, `out/part-00001.jsonl`, ... of at
most `shard_size` articles each (`PART_SIZE` when not given): shards of `out/part.jsonl`,
with the same all-or-nothing write and the same removal of an earlier run's parts
beyond the new count (files of other names in the folder are left alone). The folder
is made when missing (with its missing parents), and removed again if the write fails.
The parts take the format the folder's name asks for, as a file's would (`out.parquet/`
gets `part-00000.parquet`, `out.jsonl.gz/` gets `part-00000.jsonl.gz`), or the one
`part_format` names; a plain name (`out/`) gets JSONL.

A URL target (`s3://bucket/corpus.jsonl.gz`, any fsspec file system) is written the
same way in a local temporary folder, then every file is uploaded under a temporary
name beside its target and, once all are uploaded, moved into place (`fs.mv`); a URL
ending in "/" is a folder of parts (its existence is not asked: that is a network call).

To stdout (no target) each JSONL line is written whole, with its newline, in one
call, so a reader of a pipe never sees half a line.

Over 500 lines because every kind of target (file, compressed file, Parquet, shards, a
folder of parts, stdout, a URL) is written through the same atomic steps, kept together.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from ..engine import signals
from ..io.atomic import OutputTarget, fsync_folder, named_errors, open_stream, output_mode, output_target
from ..io.remote import is_url, url_filesystem
from ..records import Article

#: Output kinds, by the extension that asks for each; any other name is JSONL, and any
#: other name ending in a compression's suffix (`out.gz`) is JSONL so compressed.
SUFFIXES = {
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl.gz",
    ".jsonl.bz2": "jsonl.bz2",
    ".jsonl.zst": "jsonl.zst",
    ".parquet": "parquet",
}
#: The kinds, as `part_format` names them.
KINDS = tuple(SUFFIXES.values())
#: The compressions written (those `run` reads), by suffix.
COMPRESSIONS = {".gz": "gz", ".bz2": "bz2", ".zst": "zst"}
#: Suffixes of compressions and archives that are not written: a name ending so is refused,
#: never given plain JSONL under a name that says otherwise.
UNWRITTEN = (".xz", ".lzma", ".lz", ".lz4", ".br", ".z", ".zip", ".7z", ".rar", ".tar", ".tgz", ".tbz2", ".sz")
#: The module each kind needs beyond the standard library, and the package that provides it.
NEEDS = {"jsonl.zst": ("zstandard", "zstandard"), "parquet": ("pyarrow.parquet", "pyarrow")}

GZIP_LEVEL = 6  #: gzip's own default; 9 is slower for files barely smaller
BZIP2_LEVEL = 9  #: bzip2's own default (its block size; memory and speed barely change)
ZSTD_LEVEL = 3  #: zstd's own default: much faster than gzip, files about as small or smaller
PARQUET_COMPRESSION = "zstd"  #: read by pyarrow, duckdb, Spark and polars; better on text than snappy
#: A Parquet row group is written every this many articles, or sooner when their text
#: reaches PARQUET_BATCH_CHARS: memory stays bounded whatever the corpus or article size.
PARQUET_BATCH_ROWS = 10_000
PARQUET_BATCH_CHARS = 64 * 2**20
#: Articles per part when the target is a folder and no shard size is given: about
#: 300 MB of JSONL for typical news articles, a size that readers split work by.
PART_SIZE = 100_000
#: The name JSONL parts in a folder are numbered from: part-00000.jsonl, part-00001.jsonl, ...
#: (`part_name` for the other formats)
PART_NAME = "part.jsonl"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write produced."""

    count: int  #: articles written
    #: files written, in shard order; empty when writing to stdout; URLs (str) for a URL target
    files: tuple[Path | str, ...]


def output_kind(target: str | os.PathLike | None) -> str:
    """The format a target's name asks for: one of KINDS.

    None and "-" (stdout) and names with any other extension are JSONL. Raises
    ValueError, naming the extension and the supported ones, when the name asks for
    a format that cannot be written (`.xz`, `.parquet.gz`) or one that needs a package
    that cannot be imported, so a caller can check `-o` before doing any work.
    """
    if target is None or os.fspath(target) == "-":
        return "jsonl"
    kind = _kind_of(Path(target).name, target)
    _require(kind, Path(target))
    return kind


def folder_kind(folder: str | os.PathLike, part_format: str | None = None) -> str:
    """The format of the parts of a folder target: what `part_format` names, else what the
    folder's name asks for as a file's would (`out.parquet/`), else JSONL. ValueError when
    `part_format` is not a kind, or the name asks for another one."""
    if part_format is not None and part_format not in KINDS:
        raise ValueError(f"part format must be one of {', '.join(KINDS)}; got {part_format!r}")
    name = Path(str(folder).rstrip("/")).name
    named = _kind_of(name, folder) if _asks_for_format(name) else None
    if part_format is not None and named is not None and named != part_format:
        raise ValueError(
            f"{folder}: the name asks for {named} parts, the part format says {part_format}; "
            "drop one, or rename the folder"
        )
    kind = part_format or named or "jsonl"
    _require(kind, Path(name))
    return kind


def _asks_for_format(name: str) -> bool:
    """Whether a name ends in a suffix that says a format (`.jsonl`, `.parquet`, `.gz`, `.xz`, ...)."""
    lower = name.lower()
    return lower.endswith((*SUFFIXES, *COMPRESSIONS, *UNWRITTEN, ".parquet"))


def shard_path(target: str | os.PathLike, index: int) -> Path:
    """Where shard `index` of `target` goes: out.jsonl.gz -> out-00003.jsonl.gz."""
    target = Path(target)
    stem, suffix = _split_name(target.name)
    return target.with_name(f"{stem}-{index:05d}{suffix}")


def output_folder(target: str | os.PathLike | None) -> Path | str | None:
    """The folder of parts a target names, or None when it names a file (or stdout):
    a URL ending in "/" (returned as the URL), a local name ending in "/" (or the
    system's separator), or an existing local folder (returned as a Path). A name
    ending in "/" is a folder even where a file of that name exists (writing then fails)."""
    if target is None:
        return None
    if is_url(target):
        return str(target) if str(target).endswith("/") else None
    text = os.fspath(target)
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return Path(text)
    return None


def part_name(kind: str = "jsonl") -> str:
    """The name the parts of a folder are numbered from: part.jsonl, part.parquet, ..."""
    return "part" + next(suffix for suffix, k in SUFFIXES.items() if k == kind)


def part_path(folder: str | os.PathLike, index: int, kind: str = "jsonl") -> Path | str:
    """Where part `index` of a folder target goes: out/ -> out/part-00003.jsonl (a URL for a URL)."""
    if is_url(folder):
        return f"{str(folder).rstrip('/')}/{shard_path(part_name(kind), index).name}"
    return shard_path(Path(folder) / part_name(kind), index)


def is_shard(name: str, target: str | os.PathLike) -> bool:
    """Whether a file called `name` would be a shard of `target` (out-00003.jsonl of out.jsonl)."""
    return _is_stale_shard(name, Path(target), 0)


def write_articles(
    articles: Iterable[Article],
    target: str | os.PathLike | None = None,
    shard_size: int | None = None,
    part_format: str | None = None,
) -> WriteResult:
    """Write the articles to `target` in the format its name asks for, atomically; to stdout (JSONL)
    when None or "-".

    With `shard_size`, write files of at most that many articles (see `shard_path`),
    all or nothing; zero articles still give one valid, empty file (or shard 00000).
    A target naming a folder (see `output_folder`) gets parts (`part_path`) of
    `shard_size` articles, `PART_SIZE` when None, in the format `folder_kind` says.
    A failed write raises `OutputError` (an OSError) naming the output.
    """
    if shard_size is not None and (isinstance(shard_size, bool) or not isinstance(shard_size, int) or shard_size < 1):
        raise ValueError(f"shard_size must be a whole number of articles, at least 1; got {shard_size!r}")
    folder = output_folder(target)
    if part_format is not None and folder is None:
        raise ValueError(f"part_format is for a folder target; the name of {target} sets its format")
    if folder is not None:
        return _write_folder(articles, folder, shard_size or PART_SIZE, folder_kind(folder, part_format))
    return _write_file(articles, target, output_kind(target), shard_size)


def write_jsonl(articles: Iterable[Article], target: str | os.PathLike | None = None) -> int:
    """Write the articles as plain JSONL (whatever the name) to `target` as `write_articles`
    does, or to stdout when None or "-"."""
    return _write_file(articles, target, "jsonl", None).count


def _write_file(
    articles: Iterable[Article], target: str | os.PathLike | None, kind: str, shard_size: int | None
) -> WriteResult:
    """Write to one target that is not a folder: stdout, a stream, a URL, a file or its shards."""
    if target is not None and os.fspath(target) == "-":
        target = None
    where = output_target(target) if target is not None and not is_url(target) else None
    if shard_size is not None and (target is None or (where is not None and where.is_stream)):
        raise ValueError(
            f"shard_size needs a target file: {'stdout' if target is None else target} is a single stream "
            "and cannot be split into shards"
        )
    if target is None or (where is not None and where.is_stdout and kind == "jsonl"):
        with named_errors("<stdout>"):
            return WriteResult(write_lines(articles, sys.stdout), ())
    if where is not None and where.is_stream:
        return _write_stream(articles, where, kind)
    return _write_target(articles, target, kind, shard_size)


def to_json_line(article: Article) -> str:
    """One output line (without its newline): keys in schema order, UTF-8 kept as is."""
    return json.dumps(article.to_dict(), ensure_ascii=False)


def write_lines(articles: Iterable[Article], stream: TextIO) -> int:
    count = 0
    for article in articles:
        stream.write(to_json_line(article) + "\n")
        count += 1
    stream.flush()
    return count


def parquet_schema() -> Any:
    """The Arrow schema of Parquet output: the JSON Schema's fields, types and nullability (imports pyarrow)."""
    import pyarrow as pa

    # "element" is the list item name Parquet itself uses, so the schema reads back unchanged
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("title", pa.string()),
            pa.field("date", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("sources", pa.list_(pa.field("element", pa.string(), nullable=False)), nullable=False),
            pa.field("lang", pa.string()),
            pa.field("n_chars", pa.int64(), nullable=False),
            pa.field("url", pa.string()),
            pa.field("input_date", pa.string()),
            pa.field("input_id", pa.string()),
            # the fields kept (--keep-fields), as a JSON object's text: their types vary by record
            pa.field("input_fields", pa.string()),
        ]
    )


def article_schema() -> dict:
    """The JSON Schema every output line satisfies (shipped in the package)."""
    text = resources.files("corpus_clean").joinpath("schema/article.schema.json").read_text("utf-8")
    return json.loads(text)


# --- formats: one small writer per kind over the same Article, all on a binary file


class _JsonlFormat:
    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, article: Article) -> None:
        self._out.write((to_json_line(article) + "\n").encode("utf-8"))

    def close(self) -> None:
        """Finish the format; the file underneath stays open (it is synced after)."""

    def abandon(self) -> None:
        """Stop, for a file about to be deleted: closed now, or a finaliser would write to it later."""
        self.close()


class _GzipFormat(_JsonlFormat):
    def __init__(self, out: BinaryIO) -> None:
        # no file name and time stamp 0 in the header: the same articles give the same bytes
        super().__init__(gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=out, mtime=0))

    def close(self) -> None:
        self._out.close()  # writes the gzip trailer; GzipFile does not close the file it was given


class _Bzip2Format(_JsonlFormat):
    def __init__(self, out: BinaryIO) -> None:
        import bz2

        # a bzip2 stream holds no name or time stamp: the same articles give the same bytes
        super().__init__(bz2.BZ2File(out, "wb", compresslevel=BZIP2_LEVEL))  # type: ignore[arg-type]

    def close(self) -> None:
        self._out.close()  # ends the stream; BZ2File does not close the file it was given


class _ZstdFormat(_JsonlFormat):
    def __init__(self, out: BinaryIO) -> None:
        zstandard = _require("jsonl.zst")
        compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True)
        super().__init__(compressor.stream_writer(out, closefd=False))

    def close(self) -> None:
        self._out.close()  # ends the zstd frame


class _ParquetFormat:
    def __init__(self, out: BinaryIO) -> None:
        pq = _require("parquet")
        self._schema = parquet_schema()
        self._writer = pq.ParquetWriter(out, self._schema, compression=PARQUET_COMPRESSION)
        self._batch: list[Article] = []
        self._chars = 0

    def write(self, article: Article) -> None:
        self._batch.append(article)
        self._chars += article.n_chars
        if len(self._batch) >= PARQUET_BATCH_ROWS or self._chars >= PARQUET_BATCH_CHARS:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        import pyarrow as pa

        columns = {name: [getattr(a, name) for a in self._batch] for name in self._schema.names}
        columns["sources"] = [list(a.sources) for a in self._batch]
        self._writer.write_table(pa.Table.from_pydict(columns, schema=self._schema))  # one row group
        self._batch, self._chars = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()  # writes the footer; with no rows, a valid file holding only the schema

    def abandon(self) -> None:
        self._batch = []  # not worth encoding
        self._writer.close()


_FORMATS = {
    "jsonl": _JsonlFormat,
    "jsonl.gz": _GzipFormat,
    "jsonl.bz2": _Bzip2Format,
    "jsonl.zst": _ZstdFormat,
    "parquet": _ParquetFormat,
}


# --- files: temporary beside the target, renamed when complete


class _TempOutput:
    """One output file being written: a temporary file beside the file `final` names (a link's
    target, for a symbolic link), renamed over it by the caller (`commit`)."""

    def __init__(self, final: Path, kind: str) -> None:
        self.final = final
        where = output_target(final)
        self.real = where.path if where.path is not None else final
        self.name = str(final)
        with named_errors(self.name):
            mode = output_mode(self.real)
            fd, name = tempfile.mkstemp(dir=self.real.parent, prefix=f".{self.real.name}.", suffix=".tmp")
        self.temp = Path(name)
        self._raw: BinaryIO | None = None
        self._format: Any = None
        try:
            with named_errors(self.name):
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, mode)  # mkstemp makes 0600; the output gets what a plain open() would give
                self._raw = os.fdopen(fd, "wb")
                self._format = _FORMATS[kind](self._raw)
        except BaseException:
            if self._raw is None:
                os.close(fd)
            self.discard()
            raise

    def write(self, article: Article) -> None:
        with named_errors(self.name):
            self._format.write(article)

    def finish(self) -> None:
        """Complete the file: close the format (trailer, footer), flush and sync; ready to rename."""
        assert self._raw is not None
        with named_errors(self.name):
            self._format.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()

    def commit(self) -> None:
        with named_errors(self.name):
            os.replace(self.temp, self.real)

    def discard(self) -> None:
        """Remove the temporary file, quietly: this runs while another exception is on its way."""
        with contextlib.suppress(Exception):
            if self._format is not None:
                self._format.abandon()
        with contextlib.suppress(Exception):
            if self._raw is not None:
                self._raw.close()
        self.temp.unlink(missing_ok=True)


def _write_files(articles: Iterable[Article], target: Path, kind: str, shard_size: int | None) -> WriteResult:
    outputs: list[_TempOutput] = []
    count = 0
    try:
        todo: Iterator[Article] = iter(articles)
        pending = next(todo, None)
        while True:
            output = _TempOutput(target if shard_size is None else shard_path(target, len(outputs)), kind)
            outputs.append(output)
            in_file = 0
            while pending is not None and (shard_size is None or in_file < shard_size):
                output.write(pending)
                in_file += 1
                pending = next(todo, None)
            output.finish()
            count += in_file
            if pending is None:
                break
    except BaseException:
        for output in outputs:
            output.discard()
        raise
    try:
        with signals.deferred():
            for output in outputs:
                output.commit()
            if shard_size is not None:
                with named_errors(str(target)):
                    _remove_stale_shards(target, len(outputs))
    except BaseException:
        for output in outputs:  # a rename failed (a full folder, a lost disk): no temporary file stays behind
            output.temp.unlink(missing_ok=True)
        raise
    for folder in dict.fromkeys(output.real.parent for output in outputs):
        fsync_folder(folder)
    return WriteResult(count, tuple(output.final for output in outputs))


def _write_stream(articles: Iterable[Article], where: OutputTarget, kind: str) -> WriteResult:
    """Write straight into a descriptor, device or FIFO: no temporary file, nothing to rename."""
    with named_errors(where.name):
        raw = open_stream(where)
    count = 0
    try:
        with named_errors(where.name):
            writer = _FORMATS[kind](raw)
        for article in articles:
            with named_errors(where.name):
                writer.write(article)
            count += 1
        with named_errors(where.name):
            writer.close()
            raw.close()
    finally:
        with contextlib.suppress(Exception):
            raw.close()
    return WriteResult(count, () if where.fd is not None else (Path(where.name),))


def _remove_stale_shards(target: Path, count: int) -> None:
    """Delete shards of an earlier run numbered `count` or more (same name and extension only)."""
    for path in target.parent.iterdir():
        if _is_stale_shard(path.name, target, count):
            path.unlink(missing_ok=True)


def _is_stale_shard(name: str, target: Path, count: int) -> bool:
    """Whether `name` is a shard of `target` numbered `count` or more."""
    stem, suffix = _split_name(target.name)
    prefix = f"{stem}-"
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return False
    number = name[len(prefix) : len(name) - len(suffix)]
    # only names this module writes: 00007 or 123456, never 7 or 0007 or 12a45
    ours = number.isascii() and number.isdigit() and shard_path(target, int(number)).name == name
    return ours and int(number) >= count


def _write_folder(articles: Iterable[Article], folder: Path | str, shard_size: int, kind: str) -> WriteResult:
    """Parts in a folder: the shards of `<folder>/part.<ext>`; the folder made if missing."""
    name = part_name(kind)
    if isinstance(folder, str):
        return _write_url(articles, folder.rstrip("/") + "/" + name, kind, shard_size, make_folder=True)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: is a file, not a folder to write parts in")
    made = []
    missing = folder
    while not missing.exists():
        made.append(missing)
        missing = missing.parent
    with named_errors(str(folder)):
        for new in reversed(made):
            new.mkdir(exist_ok=True)
    try:
        return _write_files(articles, folder / name, kind, shard_size)
    except BaseException:
        for new in made:  # innermost first; quietly, and only if still empty
            with contextlib.suppress(OSError):
                new.rmdir()
        raise


# --- a URL target (fsspec): written locally, uploaded beside it, then moved into place


def _write_target(
    articles: Iterable[Article], target: str | os.PathLike, kind: str, shard_size: int | None
) -> WriteResult:
    if is_url(target):
        return _write_url(articles, str(target), kind, shard_size)
    return _write_files(articles, Path(target), kind, shard_size)


def _write_url(
    articles: Iterable[Article], url: str, kind: str, shard_size: int | None, make_folder: bool = False
) -> WriteResult:
    """Write to a URL with fsspec: every file is made complete in a local temporary folder
    (the formats and shards exactly as for a local target), uploaded under a temporary
    name beside its target, and only when all are uploaded moved into place (`fs.mv`),
    so a failed run leaves no partial object at the target and removes what it uploaded.
    A move on an object store is a copy and a delete: one object at a time is atomic,
    a set of shards is not quite (the moves are not interrupted by Ctrl-C or SIGTERM).
    With `make_folder` (parts in a folder), a missing folder is made on a file system
    that has folders (file://)."""
    fs, path = url_filesystem(url)
    folder, _, name = path.rstrip("/").rpartition("/")
    with tempfile.TemporaryDirectory(prefix="corpus-clean-upload-") as local:
        written = _write_files(articles, Path(local) / name, kind, shard_size)
        files = [Path(file) for file in written.files]
        finals = [f"{folder}/{file.name}" for file in files]
        token = uuid.uuid4().hex[:12]
        uploaded: list[str] = []
        moved = False
        made: str | None = None
        try:
            if make_folder and getattr(fs, "local_file", False) and not fs.exists(folder):
                fs.makedirs(folder, exist_ok=True)  # file://; object stores have no folders to make
                made = folder
            for file in files:
                temp = f"{folder}/.{file.name}.{token}.tmp"
                uploaded.append(temp)
                fs.put_file(str(file), temp)
            with signals.deferred():
                for temp, final in zip(uploaded, finals):
                    fs.mv(temp, final)
                moved = True
                if shard_size is not None:
                    for entry in fs.ls(folder, detail=False):
                        if _is_stale_shard(entry.rstrip("/").rpartition("/")[2], Path(name), len(finals)):
                            fs.rm(entry)
        except BaseException:
            if not moved:
                for temp in uploaded:  # quietly: another exception is on its way
                    with contextlib.suppress(Exception):
                        if fs.exists(temp):
                            fs.rm(temp)
                if made is not None:
                    with contextlib.suppress(Exception):
                        fs.rmdir(made)
            raise
    base = url.rstrip("/").rpartition("/")[0]
    return WriteResult(written.count, tuple(f"{base}/{file.name}" for file in files))


def _kind_of(name: str, target: object = None) -> str:
    """The kind a file name asks for; ValueError for a name asking for what is not written."""
    lower = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return SUFFIXES[suffix]
    written = ", ".join(f"{suffix} ({what})" for suffix, what in _WRITTEN.items())
    for suffix in UNWRITTEN:
        if lower.endswith(suffix):
            raise ValueError(
                f"{target if target is not None else name}: cannot write {suffix} files; "
                f"the name must say a format that is written: {written}; any other name is JSONL"
            )
    for suffix, compression in COMPRESSIONS.items():
        if lower.endswith(suffix):
            inner = lower[: -len(suffix)]
            if inner.endswith(".tar"):
                raise ValueError(
                    f"{target if target is not None else name}: cannot write .tar archives; "
                    f"the name must say a format that is written: {written}; any other name is JSONL"
                )
            if inner.endswith(".parquet"):
                raise ValueError(
                    f"{target if target is not None else name}: Parquet is not compressed from outside "
                    f"(its columns are compressed inside the file): name it .parquet; {suffix} is for JSONL"
                )
            return f"jsonl.{compression}"
    return "jsonl"


#: What each written suffix means, for messages.
_WRITTEN = {
    ".jsonl": "JSONL",
    ".gz": "gzip-compressed JSONL",
    ".bz2": "bzip2-compressed JSONL",
    ".zst": "zstd-compressed JSONL",
    ".parquet": "Parquet",
}


def _split_name(name: str) -> tuple[str, str]:
    """(stem, extension) of a file name: out.jsonl.gz -> (out, .jsonl.gz), out.gz -> (out, .gz);
    others split at the last dot."""
    lower = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: -len(suffix)], name[-len(suffix) :]
    for suffix in COMPRESSIONS:
        if lower.endswith(suffix) and len(name) > len(suffix):
            stem, inner = _split_name(name[: -len(suffix)])
            return stem, inner + name[-len(suffix) :]
    suffix = Path(name).suffix
    return (name[: -len(suffix)], suffix) if suffix else (name, "")


def _require(kind: str, target: Path | None = None) -> Any:
    """The module a kind needs beyond the standard library (None for JSONL and gzip), imported now."""
    if kind not in NEEDS:
        return None
    module, package = NEEDS[kind]
    try:
        return importlib.import_module(module)
    except ImportError as err:
        extension = next(suffix for suffix, k in SUFFIXES.items() if k == kind)
        where = f"{target}: " if target is not None else ""
        raise ValueError(
            f"{where}writing {extension} files needs the {package} package, which cannot be imported ({err}); "
            f"install it, or use another extension (supported: {', '.join(SUFFIXES)}, or .gz, .bz2, .zst "
            "after any name; any other name is JSONL)"
        ) from err
