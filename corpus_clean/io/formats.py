"""What an input file holds, told by its name (and, for a name that does not say, by
its first bytes), and how it is decompressed; what a container's reader yields
(`ContainedPage`, `ContainedSkip`); the readers of files that are one page (an HTML
document, a compressed plain page); the decoding of a payload whose charset a
container may declare.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..io import read
from ..records import PageMeta

if TYPE_CHECKING:
    from ..io.read import InputFile

# zstandard, warcio and selectolax are imported where they are used: a run over plain
# text files (most runs) does not pay for loading them


#: What a file holds. `txt`: one page (what the pipeline always read); `html`: one
#: HTML page, read by `html` (its main content, headline and date).
KINDS = ("txt", "jsonl", "warc", "wet", "html")
#: Values of the `input_format` setting: `auto` tells the kind by the file name.
FORMATS = ("auto", *KINDS)
COMPRESSIONS = ("gz", "zst", "bz2")

#: Name endings (lower case, compression suffix removed) and the kind they mean;
#: the first that matches wins, so `.warc.wet` is looked at before `.warc`.
_KIND_BY_SUFFIX = (
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".warc.wet", "wet"),
    (".wet", "wet"),
    (".warc", "warc"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
)


@cache
def _read_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean a container cannot be read on from where they happen: broken
    compression, a truncated file, a WARC record whose headers are not WARC headers."""
    import zstandard
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    return (
        OSError,  # gzip.BadGzipFile, a truncated bz2 stream, an I/O error
        EOFError,  # a compressed stream that ends early
        zlib.error,
        zstandard.ZstdError,
        ArchiveLoadFailed,
        StatusAndHeadersParserException,
    )


# --- which kind of file ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainerFormat:
    """How a file is read: what it holds, and how it is compressed."""

    kind: str  #: one of KINDS
    compression: str | None  #: one of COMPRESSIONS, or None

    @property
    def is_container(self) -> bool:
        """Whether its pages must be taken out (to the spool) before they can be read."""
        return self.kind != "txt" or self.compression is not None


def detect_format(name: str, forced: str = "auto") -> ContainerFormat:
    """The format of a file called `name` (case-insensitive): the compression is always
    told by the last suffix (`.gz`, `.zst`, `.bz2`); the kind by what comes before it,
    unless `forced` names one (then every file is read as that kind)."""
    if forced not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {forced!r}")
    lowered = name.lower()
    if lowered.endswith(".txt") and forced == "auto":
        return _PLAIN_PAGE  # nearly every file of a crawl of pages: a tenth of its listing time
    compression = None
    for suffix in COMPRESSIONS:
        if lowered.endswith("." + suffix):
            compression = suffix
            lowered = lowered[: -len(suffix) - 1]
            break
    if forced != "auto":
        return ContainerFormat(forced, compression)
    kind = next((k for suffix, k in _KIND_BY_SUFFIX if lowered.endswith(suffix)), "txt")
    return ContainerFormat(kind, compression)


_PLAIN_PAGE = ContainerFormat("txt", None)


@contextlib.contextmanager
def decompressed(raw: io.BufferedReader, compression: str | None) -> Iterator[io.BufferedIOBase]:
    """The bytes of an open file as a buffered stream, decompressed on the fly (never whole)."""
    if compression == "gz":
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw)  # reads concatenated members too
    elif compression == "bz2":
        stream = bz2.BZ2File(raw)  # reads concatenated streams too
    elif compression == "zst":
        import zstandard

        # read_across_frames: files written in several frames (pzstd, appends) are whole
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=False)
        stream = io.BufferedReader(reader, buffer_size=1 << 20)
    else:
        yield raw
        return
    with stream:
        yield stream


# --- what a container yields ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainedPage:
    """One page found in a container, before it is spooled."""

    number: int | None  #: 1-based line or record number; None: the container is the page
    #: text, or the raw bytes of a plain page (decoded by `read.read_file`, which knows
    #: legacy encodings)
    content: str | bytes
    url: str | None = None
    title: str | None = None
    date: str | None = None
    meta: PageMeta | None = None  #: an HTML page's headline and date (see `html`)
    input_id: str | None = None
    fields: str | None = None  #: the fields kept, as a JSON object's text


@dataclass(frozen=True, slots=True)
class ContainedSkip:
    """A record of a container that is not read as a page, and why."""

    number: int | None
    reason: str
    detail: str


Contained = ContainedPage | ContainedSkip


_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def _looks_like_html(payload: bytes) -> bool:
    return _HTML_START.match(payload[:1024].removeprefix(codecs.BOM_UTF8)) is not None


#: Byte-order marks: a payload starting with one is decoded by it, whatever is declared
#: (UTF-32's marks start with UTF-16's).
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


def _decode_payload(payload: bytes, charset: str | None, html: bool) -> tuple[str | None, str | None]:
    """The payload's text: by a byte-order mark; else as UTF-8 when its bytes are UTF-8
    (servers that label every page Latin-1 are common, and legacy text almost never
    forms valid UTF-8); else by the charset the server or the page declares, when it
    decodes the bytes; else as `read.decode` reads a file.
    Returns (text, None), or (None, "binary" or "undecodable")."""
    if not payload.startswith(_BOMS):
        declared = [charset]
        if html:
            found = _META_CHARSET.search(payload[:4096])
            declared.append(found.group(1).decode("ascii") if found else None)
        for encoding in ("utf-8", *filter(None, map(_codec, declared))):
            try:
                text = payload.decode(encoding)
            except UnicodeDecodeError:
                continue  # a wrong declaration is common; let detection decide
            return (None, "binary") if "\x00" in text else (text, None)
    decoded = read.decode(payload)
    if isinstance(decoded, str):
        return None, decoded
    return decoded[0], None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    if canonical.startswith(("utf-16", "utf-32")):
        return None  # without a byte-order mark, a mislabel (WHATWG reads it as UTF-8)
    # browsers read pages labelled Latin-1 or ASCII as windows-1252 (the WHATWG
    # Encoding standard), and so do the pages' authors, who type its curly quotes
    return "cp1252" if canonical in ("iso8859-1", "ascii") else canonical


# --- HTML pages ----------------------------------------------------------------------


def html_document(stream: io.BufferedIOBase, config: Config) -> Iterator[Contained]:
    """One HTML page (a `.html` file, compressed or not): its main content as text
    blocks, with its headline and date (see `html`)."""
    data = _one_page(stream, config)
    if isinstance(data, ContainedSkip):
        yield data
        return
    decoded, problem = _decode_payload(data, None, html=True)
    if decoded is None:
        detail = "no text encoding fits its bytes" if problem == "undecodable" else "it holds binary data, not HTML"
        yield ContainedSkip(None, problem or "binary", detail)
        return
    yield _html_page(decoded, None, None, "the page", config)


def _html_page(document: str, number: int | None, url: str | None, where: str, config: Config) -> Contained:
    """An HTML document as a page of text blocks, with its headline and date."""
    from ..io import html

    try:
        page = html.extract(document, url, config.date_window)
    except html.MissingHtmlLibrary:
        raise
    except html.extraction_errors() as err:
        return ContainedSkip(number, "bad-html", f"{where}: the HTML could not be read ({_first_line(err)})")
    text = html.page_text(page)
    if not text.strip():
        return ContainedSkip(number, "empty", f"{where}: no text in the HTML")
    return ContainedPage(number, text, url=url, title=page.meta.title, meta=page.meta)


def _sniffed_format(location: Path, fmt: ContainerFormat) -> ContainerFormat:
    """The format of a file whose name does not tell its kind: HTML when its first bytes
    (decompressed) are the start of an HTML document, else what the name said."""
    try:
        with open(location, "rb") as raw, decompressed(raw, fmt.compression) as stream:  # type: ignore[arg-type]
            head = stream.read(1024)
    except (*_read_errors(), ValueError):
        return fmt  # unreadable or broken: reading it will say so
    return ContainerFormat("html", fmt.compression) if _looks_like_html(head) else fmt


# --- a compressed plain page --------------------------------------------------------


def single_page(stream: io.BufferedIOBase, config: Config) -> Iterator[Contained]:
    """A compressed plain page: its bytes, decoded later by `read.read_file` like a file's."""
    data = _one_page(stream, config)
    yield data if isinstance(data, ContainedSkip) else ContainedPage(None, data)


def _one_page(stream: io.BufferedIOBase, config: Config) -> bytes | ContainedSkip:
    """The bytes of a file that is one page, decompressed, or why they cannot be read."""
    try:
        data = stream.read(config.max_file_bytes + 1)
    except _read_errors() as err:
        return ContainedSkip(None, "bad-container", f"it does not decompress ({_first_line(err)})")
    if len(data) > config.max_file_bytes:
        return ContainedSkip(
            None, "too-large", f"over {config.max_file_bytes} bytes once decompressed; raise the limit or split it"
        )
    return data


def _broken(number: int, unit: str, err: BaseException) -> ContainedSkip:
    return ContainedSkip(
        number,
        "bad-container",
        f"{unit} {number} and after could not be read ({_first_line(err)}); the file is damaged or truncated",
    )


_first_line = read.first_line


def _named_text(item: InputFile) -> bool:
    """A file whose name says it is plain text (`.txt`, compressed or not): not sniffed
    for HTML (a corpus of text pages is read as it always was, one system call a file)."""
    name = item.location.name.lower()
    return name.endswith(".txt") or any(name.endswith(f".txt.{c}") for c in COMPRESSIONS)
