"""Pages stored inside container files, taken out to a spool folder.

A container holds many pages: JSONL (one page a line), WARC (web archive records),
Common Crawl WET (the plain text WARC conversions of a crawl), any of them compressed
with gzip, zstd or bzip2; a compressed plain page (`page.txt.gz`) is a container of one.

Workers re-read a page by its `InputFile` alone, up to three times. Re-reading a page
from inside a 5 GB WARC would mean decompressing up to it each time, so each container
is read once, streaming, record by record, and each page is written to a spool folder
as a UTF-8 file of its own; the `InputFile`s point at those files, with a display path
`<container>#<record number>` and the url, title and date the container gave. From
there on a contained page is a plain file, read by `read.read_file` like any other.

Every record is accounted for: a record that is not a page by nature (WARC warcinfo,
request, metadata and revisit records; blank JSONL lines) is passed over, every other
one becomes a page or a `SkippedFile` with its reason.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import Config
from ..io import read
from ..io.formats import Contained, ContainedSkip, ContainerFormat, decompressed, html_document, single_page
from ..io.jsonl import jsonl_records
from ..io.read import InputFile
from ..io.warc import warc_records
from ..records import SkippedFile

_READERS = {
    "txt": single_page,
    "jsonl": jsonl_records,
    "warc": warc_records,
    "wet": warc_records,
    "html": html_document,
}


class _SpoolFolders:
    """Numbered folders, one per container, made inside the spool: the names are
    counters (never taken from the input), and a folder is never shared."""

    def __init__(self, spool: Path | None) -> None:
        self.spool = spool
        self.next_number = 1

    def new(self) -> Path:
        assert self.spool is not None
        self.spool.mkdir(parents=True, exist_ok=True)
        while True:
            folder = self.spool / str(self.next_number)
            self.next_number += 1
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder


#: Spool files per subfolder: a WET file holds tens of thousands of pages, a JSONL
#: export millions, more than one folder should (listing it, or ext4's index, suffer).
_FILES_PER_FOLDER = 10_000


def spool_container(
    item: InputFile,
    fmt: ContainerFormat,
    folder: Path,
    config: Config,
    opener: Callable[[], io.BufferedReader] | None = None,
) -> Iterator[InputFile]:
    """Read one container, streaming, and write each of its pages to `folder` as
    `<number // 10000>/<number>.txt`; yield an InputFile per page or skipped record, in file order.

    `opener` gives the container's bytes (a remote file's stream); by default `item.location` is opened."""

    def entry(number: int | None) -> str:
        return item.path if number is None else f"{item.path}#{number}"

    any_record = False
    made: Path | None = None  # the last subfolder made (numbers only grow)
    with contextlib.ExitStack() as closing:
        try:
            raw = closing.enter_context(opener() if opener is not None else open(item.location, "rb"))  # noqa: SIM115
        except OSError as err:
            # a remote file's error names its URL (see `_open_remote`)
            detail = str(err) if opener is not None else f"{err.strerror or err}; check its permissions"
            problem = SkippedFile(item.path, "unreadable", detail)
            yield InputFile(item.path, item.location, problem)
            return
        stream = closing.enter_context(decompressed(raw, fmt.compression))
        # the readers turn what goes wrong while reading into skipped records; an OSError
        # out of here is a write to the spool failing (a full disk): the run cannot go on
        for contained in _checked(_READERS[fmt.kind](stream, config), item.path):
            any_record = True
            path = entry(contained.number)
            if isinstance(contained, ContainedSkip):
                yield InputFile(path, item.location, SkippedFile(path, contained.reason, contained.detail))
                continue
            number = contained.number or 1
            shard = folder / str(number // _FILES_PER_FOLDER)
            if shard != made:
                shard.mkdir(parents=True)
                made = shard
            location = shard / f"{number}.txt"
            with open(location, "xb") as out:  # x: a spool file is never overwritten
                out.write(_spool_bytes(contained.content))
            yield InputFile(
                path,
                location,
                url=contained.url,
                title=contained.title,
                date=contained.date,
                meta=contained.meta,
                input_id=contained.input_id,
                fields=contained.fields,
            )
    if not any_record:
        detail = f"this {fmt.kind} file holds no page" + (" records" if fmt.kind in ("warc", "wet") else "s")
        yield InputFile(item.path, item.location, SkippedFile(item.path, "empty", detail))


def _checked(records: Iterator[Contained], path: str) -> Iterator[Contained]:
    """The records, or the run stopped with a one-line error naming the file when it
    holds HTML and the libraries that read HTML are missing."""
    from ..io.html import MissingHtmlLibrary

    try:
        yield from records
    except MissingHtmlLibrary as err:
        raise read.InputError(f"{path}: {err}") from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _spool_bytes(content: str | bytes) -> bytes:
    """The bytes to spool, such that `read.decode` gives back exactly `content`."""
    if isinstance(content, bytes):
        return content
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can escape half a surrogate pair ("\ud800"), which no encoding writes
        data = _LONE_SURROGATE.sub("\ufffd", content).encode("utf-8")
    # a text starting with U+FEFF would lose it to BOM detection: a BOM in front keeps it
    return codecs.BOM_UTF8 + data if content.startswith("\ufeff") else data
