"""Stage 1, continued: pages stored inside container files.

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

Inputs given as URLs (`s3://bucket/crawl/`, `gs://...`, `memory://...`: any file system
fsspec knows) are listed with fsspec and every file is streamed into the spool too, a
block at a time: a container through its reader, a plain page copied as it is. With
`spool_urls=False` (the Dask engine) a plain page is not copied: its `InputFile` carries
a `read.RemoteFile` (the file system, the path on it, the URL), and whoever reads the
page (a worker on another machine) fetches it from the URL itself; containers are
still spooled, since their pages are re-read one by one.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import fnmatch
import gzip
import io
import json
import os
import re
import shutil
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import read
from ..config import Config
from ..io.read import InputFile, RemoteFile
from ..records import PageMeta, SkippedFile
from ..engine.text_spool import scratch_folder

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

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


# --- JSONL --------------------------------------------------------------------------


def jsonl_records(stream: io.BufferedIOBase, config: Config) -> Iterator[Contained]:
    """One page per line of a JSONL stream; blank lines are passed over."""
    text_field = config.text_field
    url_field = config.url_field
    number = 0
    try:
        for number, line in enumerate(_bounded_lines(stream, config.max_file_bytes), start=1):
            if line is None:
                yield ContainedSkip(
                    number, "too-large", f"line {number} is longer than {config.max_file_bytes} bytes; not read"
                )
            elif line.strip():
                yield _jsonl_record(line, number, text_field, url_field, config)
    except _read_errors() as err:
        yield _broken(number + 1, "line", err)


def _bounded_lines(stream: io.BufferedIOBase, limit: int) -> Iterator[bytes | None]:
    """The stream's lines, and None in place of a line longer than `limit` bytes (which is
    read past in pieces, never held whole: one line of a broken export can be gigabytes)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


_JSON_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _jsonl_record(line: bytes, number: int, text_field: str, url_field: str, config: Config) -> Contained:
    try:
        # bytes, not str: json detects UTF-8/16/32 and a byte-order mark itself
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return ContainedSkip(number, "bad-record", f"line {number}: not JSON ({err.msg} at column {err.colno})")
    except UnicodeDecodeError:
        return ContainedSkip(number, "bad-record", f"line {number}: not JSON (its bytes are not UTF-8)")
    if not isinstance(record, dict):
        what = "null" if record is None else _JSON_TYPE_NAMES.get(type(record), type(record).__name__)
        return ContainedSkip(number, "bad-record", f"line {number}: {what}, not a JSON object")
    html_field = config.html_field
    text = record.get(html_field or text_field)
    if not isinstance(text, str):
        fields = ", ".join(sorted(k for k, v in record.items() if isinstance(v, str))[:8]) or "none"
        option = "--html-field" if html_field else "--text-field"
        return ContainedSkip(
            number,
            "bad-record",
            f"line {number}: no string field {html_field or text_field!r} (string fields: {fields}); set {option}",
        )
    url = _string(record.get(url_field))
    given_id = record.get("id")
    # an id given as a number is kept as its text (large integer ids lose nothing)
    input_id = given_id if isinstance(given_id, str) else str(given_id) if _is_number(given_id) else None
    keep = config.keep_fields
    fields = json.dumps({name: record[name] for name in keep if name in record}, ensure_ascii=False) if keep else None
    if html_field or _looks_like_html(text[:1024].encode("utf-8", "replace")):
        page = _html_page(text, number, url, f"line {number}", config)
        return replace(page, input_id=input_id, fields=fields) if isinstance(page, ContainedPage) else page
    return ContainedPage(
        number,
        text,
        url=url,
        title=_string(record.get("title")),
        date=_string(record.get("date")),
        input_id=input_id,
        fields=fields,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# --- WARC and WET -------------------------------------------------------------------

#: Records that are never pages: a crawl's metadata, what was asked, and revisits
#: (which point at an earlier response with the same payload, and carry none).
_NOT_PAGES = frozenset({"warcinfo", "request", "metadata", "revisit"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain"})


def warc_records(stream: io.BufferedIOBase, config: Config) -> Iterator[Contained]:
    """The pages of a WARC stream: `response` and `resource` records with an HTML or
    plain text payload, and `conversion` records (WET: plain text already). Records are
    numbered from 1, pages or not, so that `#n` names the n-th record of the file.

    The stream comes decompressed (see `decompressed`), so a `.warc.gz` is read whether
    it holds a gzip member per record, as WARC writers make, or one for the whole file."""
    from warcio.archiveiterator import ArchiveIterator

    records = iter(ArchiveIterator(stream))
    number = 0
    while True:
        number += 1
        try:
            record = next(records, None)
            if record is None:
                return
            item = _warc_record(record, number, config)
        except _read_errors() as err:
            yield _broken(number, "record", err)
            return
        if item is not None:
            yield item


def _warc_record(record, number: int, config: Config) -> Contained | None:
    if record.length is None:  # no Content-Length, which every WARC record has: the file ends in its headers
        return _broken(number, "record", EOFError("it has no Content-Length"))
    kind = record.rec_type
    if kind in _NOT_PAGES:
        return None
    uri = _target_uri(record)
    where = f"record {number} ({uri or 'no WARC-Target-URI'})"
    if kind not in ("response", "resource", "conversion"):
        return ContainedSkip(number, "not-a-page", f"{where}: a {kind} record is not read")
    headers = record.http_headers if kind == "response" else None
    if headers is not None:
        status = headers.get_statuscode()
        if not status.startswith("2"):
            return ContainedSkip(number, "http-status", f"{where}: HTTP status {status}, not a page's content")
        content_type = headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    try:
        payload = record.content_stream().read(config.max_file_bytes + 1)
    except zlib.error as err:  # a Content-Encoding that does not decompress: this record only
        return ContainedSkip(number, "undecodable", f"{where}: the payload does not decompress ({err})")
    if len(payload) > config.max_file_bytes:
        return ContainedSkip(number, "too-large", f"{where}: payload over {config.max_file_bytes} bytes; not read")
    if _cut_short(record):
        return _broken(number, "record", EOFError("the file ends inside it"))
    media_type, charset = _media_type(content_type)
    if kind == "conversion":
        media_type = "text/plain"  # WET: the text of a page, whatever the header says
    elif media_type is None:
        media_type = "text/html" if _looks_like_html(payload) else "text/plain"
    if media_type not in _HTML_TYPES and media_type not in _TEXT_TYPES:
        return ContainedSkip(number, "not-text", f"{where}: the payload is {media_type}, not HTML or plain text")
    decoded, problem = _decode_payload(payload, charset, html=media_type in _HTML_TYPES)
    if problem == "undecodable":
        return ContainedSkip(number, problem, f"{where}: no text encoding fits its bytes")
    if decoded is None:
        return ContainedSkip(number, "binary", f"{where}: declared {media_type} but holds binary data")
    if media_type in _HTML_TYPES:
        return _html_page(decoded, number, uri, where, config)
    if not decoded.strip():
        return ContainedSkip(number, "empty", f"{where}: no text in the payload")
    return ContainedPage(number, decoded, url=uri)


def _cut_short(record) -> bool:
    """Whether the file ends before the record does (warcio then gives a short payload
    and stops, without a word). A gzip or zstd stream says so itself; an uncompressed
    WARC is told by the bytes of the record still owed once its payload is read."""
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return getattr(raw, "limit", 0) > 0


def _target_uri(record) -> str | None:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if not uri:
        return None
    # some WARC 1.1 writers wrap the URI in angle brackets, as the spec's grammar once did
    return uri.strip().removeprefix("<").removesuffix(">") or None


def _media_type(content_type: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset=UTF-8` -> ("text/html", "UTF-8")."""
    if not content_type:
        return None, None
    main, _, params = content_type.partition(";")
    found = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    return main.strip().lower() or None, found.group(1) if found else None


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


# --- HTML to text -------------------------------------------------------------------

#: Elements that start and end a block of text: each becomes a paragraph of its own.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody tfoot thead td th tr ul""".split()
)
#: Elements whose text is never shown on the page (code, styles, fallbacks, metadata).
HIDDEN_TAGS = frozenset("head script style noscript template svg canvas iframe object select".split())
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: not NBSP, which is kept


@dataclass(frozen=True, slots=True)
class HtmlText:
    text: str  #: one paragraph per block element, blocks separated by a blank line
    title: str | None  #: the document's <title>, white space collapsed


def html_text(html: str) -> HtmlText:
    """The visible text of an HTML document, laid out the way this project reads pages:
    one block element (p, div, li, h1, td, ...) per paragraph with a blank line between
    blocks, a <br> as a line break, white space collapsed as a browser does (kept in
    <pre>); the text of script, style, noscript, template and the head is dropped."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("head > title")
    title = _HTML_SPACE.sub(" ", title_node.text()).strip() if title_node is not None else ""
    blocks: list[str] = []
    lines: list[str] = []  # finished lines of the current block
    inline: list[str] = []  # text pieces of the current line

    def end_line() -> None:
        line = _HTML_SPACE.sub(" ", "".join(inline)).strip()
        inline.clear()
        if line:
            lines.append(line)

    def end_block() -> None:
        end_line()
        if lines:
            blocks.append("\n".join(lines))
            lines.clear()

    # an explicit stack, not recursion: a page can nest thousands of elements deep
    top = tree.body or tree.root
    stack: list[tuple[LexborNode, bool]] = [(top, False)] if top is not None else []
    while stack:
        node, leaving = stack.pop()
        if leaving:
            end_block()
            continue
        tag = node.tag or ""
        if tag == "-text":
            inline.append(node.text_content or "")
            continue
        if tag.startswith("-") or tag in HIDDEN_TAGS:  # comments, doctype, hidden text
            continue
        if tag == "br":
            end_line()
            continue
        if tag == "pre":
            end_block()
            lines.extend(line.rstrip() for line in node.text(deep=True).strip("\n").splitlines() if line.strip())
            end_block()
            continue
        if tag in BLOCK_TAGS:
            end_block()
            stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append((child, False))
            child = child.next
        stack.extend(reversed(children))
    end_block()
    return HtmlText("\n\n".join(blocks), title or None)


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


_READERS = {
    "txt": single_page,
    "jsonl": jsonl_records,
    "warc": warc_records,
    "wet": warc_records,
    "html": html_document,
}


# --- the spool ----------------------------------------------------------------------


def discover(
    paths: Iterable[str | os.PathLike], config: Config, spool: Path | None = None, spool_urls: bool = True
) -> list[InputFile]:
    """List the pages to read, in a stable order: `read.discover`'s files, with each
    container replaced by its pages (spooled under `spool`, one file each) and its
    skipped records, in file order.

    Plain uncompressed pages are listed as they are and need no spool; a container
    found with `spool` None is a ValueError (use `spooled`, which makes and removes a
    spool folder). A container that yields nothing at all is listed as skipped (`empty`).

    A path given as a URL (`s3://bucket/crawl/`, `memory://crawl`; see `is_url`) is
    listed with fsspec, a folder recursively with `config.glob` as for a local folder,
    and every file is streamed into the spool (so a URL always needs one): a container
    is read from the stream, a plain page copied. With `spool_urls` False, a plain page
    at a URL is not copied but listed with its `RemoteFile`, to be read from the URL by
    `read.read_file` (so only URLs of containers need a spool). Display paths are relative
    to the URL given, or the URL itself for a single file, either way. Paths are taken in
    the order given. With several paths, names stay unique: local ones are shown relative
    to the deepest folder holding them all (`read.common_base`); URLs, when every path is
    one, relative to the deepest URL holding them all (`_common_url`), else by their whole
    URL.
    """
    found: list[InputFile] = []
    folders = _SpoolFolders(spool)
    seen: set[object] = set()
    paths = list(paths)
    # several input folders may hold the same names: each is then shown from their common folder
    base = read.common_base([p for p in paths if not is_url(p) and p != STDIN])
    urls = [str(p) for p in paths if is_url(p)]
    url_base = _common_url(urls) if len(urls) == len(paths) else None
    if sum(1 for p in paths if isinstance(p, str) and p == STDIN) > 1:
        raise read.InputError(f"{STDIN}: stdin can be read once; give it once")
    for raw in paths:
        if isinstance(raw, str) and raw == STDIN:
            found.extend(_discover_stdin(config, folders))
            continue
        if is_url(raw):
            url = str(raw).rstrip("/")
            shown = "" if len(paths) == 1 else (url[len(url_base) + 1 :] if url_base else url) + "/"
            found.extend(_discover_url(str(raw), config, folders, seen, spool_urls, shown))
            continue
        # as `read.discover` does across its paths: a file reached twice is read once
        for item in read.discover([raw], config, seen, base):
            found.extend(_local_item(item, config, spool, folders))
    return found


def _common_url(urls: list[str]) -> str | None:
    """The deepest URL holding every one of `urls` (`s3://bucket/crawl` for
    `s3://bucket/crawl/a/` and `s3://bucket/crawl/b/`), as `read.common_base` is for local
    folders; None when they share no more than a scheme and host, or are one URL."""
    parts = [u.rstrip("/").split("/") for u in dict.fromkeys(urls)]
    if len(parts) < 2:
        return None
    common = []
    for pieces in zip(*parts):
        if any(piece != pieces[0] for piece in pieces):
            break
        common.append(pieces[0])
    if len(common) == min(len(p) for p in parts):  # one URL holds the others: name from its parent
        common = common[:-1]
    return "/".join(common) if len(common) >= 3 and common[-1] else None


def _local_item(item: InputFile, config: Config, spool: Path | None, folders: _SpoolFolders) -> Iterable[InputFile]:
    fmt = detect_format(item.location.name, config.input_format)
    if fmt.kind == "txt" and item.problem is None and config.input_format == "auto" and not _named_text(item):
        fmt = _sniffed_format(item.location, fmt)  # a saved page named page.php, index, page.gz
    if item.problem is not None or not fmt.is_container:
        return [item]
    if spool is None:
        raise ValueError(
            f"{item.path} is a {fmt.kind} container ({fmt.compression or 'uncompressed'}): "
            "reading its pages needs a spool folder (pass spool=, or use containers.spooled)"
        )
    return spool_container(item, fmt, folders.new(), config)


# --- inputs given as URLs (fsspec) ------------------------------------------------

#: `scheme://`, the scheme two characters or more, so that `C://data` stays a Windows path.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
#: Bytes fetched at a time from a remote file: what is held of it in memory, whatever its size.
REMOTE_BLOCK_BYTES = 1 << 20


def is_url(path: object) -> bool:
    """Whether an input or output path is a URL for fsspec (`scheme://...`). A `Path`
    never is (it folds `//`), nor a local path or a Windows drive letter (`C:\\pages`)."""
    return isinstance(path, str) and _URL.match(path) is not None


def check_url_scheme(url: str) -> None:
    """ValueError, one line, unless fsspec knows the URL's scheme and can load its file
    system (imported, not made: no network call, no credentials looked up)."""
    scheme = url.split("://", 1)[0]
    try:
        from fsspec import get_filesystem_class
    except ImportError as err:
        raise ValueError(f"{url}: reading or writing URLs needs the fsspec package ({err})") from None
    try:
        get_filesystem_class(scheme)
    except ImportError as err:
        raise ValueError(f"{url}: the {scheme}:// file system needs a package that is missing ({err})") from None
    except ValueError:
        raise ValueError(f"{url}: fsspec knows no file system for {scheme}://") from None


def url_filesystem(url: str) -> tuple[Any, str]:
    """The fsspec file system of `url` and the path on it; ValueError, one line, when
    fsspec does not know the scheme or cannot load its implementation."""
    try:
        from fsspec.core import url_to_fs
    except ImportError as err:
        raise ValueError(f"{url}: reading or writing URLs needs the fsspec package ({err})") from None
    check_url_scheme(url)
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as err:
        raise ValueError(f"{url}: {_first_line(err)}") from None


def _discover_url(
    url: str, config: Config, folders: _SpoolFolders, seen: set[object], spool_urls: bool, shown: str = ""
) -> Iterator[InputFile]:
    """The pages of the files at `url`: listed first (a missing URL stops the run before
    anything is read, like a missing local path), then streamed into the spool (or, with
    `spool_urls` False, plain pages listed to be read from the URL)."""
    try:
        fs, root = url_filesystem(url)
    except ValueError as err:
        raise read.InputError(str(err)) from None
    try:
        if fs.isdir(root):
            base = url.rstrip("/")
            # (`shown`: with other inputs beside it, the part of the URL that keeps names apart)
            listed = _remote_walk(fs, root, config)
            files = [(f"{shown}{rel}", path, f"{base}/{rel}") for rel, path in listed]
        elif fs.isfile(root):
            files = [(shown.rstrip("/") or url, root, url)]
        else:
            raise read.InputError(f"{url}: no such file or folder")
    except OSError as err:
        raise read.InputError(f"{url}: cannot be listed ({_first_line(err)})") from None
    if not files:
        return iter(())
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    fresh = []
    for display, path, file_url in files:
        if (protocol, path) not in seen:
            seen.add((protocol, path))
            fresh.append((display, path, file_url))
    return _remote_files(fs, url, fresh, config, folders, spool_urls)


def _remote_walk(fs: Any, root: str, config: Config) -> list[tuple[str, str]]:
    """(display path, path on `fs`) of the files under folder `root` matching `config.glob`, sorted."""
    pattern = config.glob
    match_path = "/" in pattern
    prefix = root.rstrip("/") + "/"
    out = []
    for path in fs.find(root, withdirs=False):
        rel = path[len(prefix) :] if path.startswith(prefix) else path.rsplit("/", 1)[-1]
        if fnmatch.fnmatchcase(rel if match_path else rel.rsplit("/", 1)[-1], pattern):
            out.append((rel, path))
    out.sort()
    return out


def _remote_files(
    fs: Any, given: str, files: list[tuple[str, str, str]], config: Config, folders: _SpoolFolders, spool_urls: bool
) -> Iterator[InputFile]:
    """Stream each remote file (display path, path on `fs`, URL) found at URL `given`: a
    container through its reader, a plain page copied to `<folder>/<n // 10000>/<n>.txt`
    (one folder for all the plain pages of a URL), or with `spool_urls` False listed as
    it is, to be read from its URL."""
    plain_folder: Path | None = None
    made: Path | None = None
    for number, (display, path, url) in enumerate(files, start=1):
        fmt = detect_format(path.rsplit("/", 1)[-1], config.input_format)
        if not fmt.is_container and not spool_urls:
            yield InputFile(display, Path(path), remote=RemoteFile(fs, path, url))
            continue
        if folders.spool is None:
            raise ValueError(
                f"{given}: reading {'containers' if fmt.is_container else 'files'} from a URL needs a spool "
                "folder (pass spool=, or use containers.spooled)"
            )
        if fmt.is_container:
            folder = folders.new()
            item = InputFile(display, folder)
            yield from spool_container(item, fmt, folder, config, opener=partial(_open_remote, fs, path, url))
            continue
        if plain_folder is None:
            plain_folder = folders.new()
        shard = plain_folder / str(number // _FILES_PER_FOLDER)
        if shard != made:
            shard.mkdir(parents=True, exist_ok=True)
            made = shard
        yield _copy_remote_page(fs, path, url, display, shard / f"{number}.txt", config)


def _open_remote(fs: Any, path: str, url: str) -> io.BufferedReader:
    """A remote file as a buffered stream, fetched `REMOTE_BLOCK_BYTES` at a time."""
    try:
        raw = fs.open(path, "rb", block_size=REMOTE_BLOCK_BYTES)
    except OSError as err:
        raise OSError(read.remote_open_failed(url, err)) from err
    try:
        return io.BufferedReader(raw, buffer_size=REMOTE_BLOCK_BYTES)
    except Exception:
        raw.close()
        raise


def _copy_remote_page(fs: Any, path: str, url: str, display: str, location: Path, config: Config) -> InputFile:
    """Copy one remote page to `location`, a block at a time; stop and skip past the size limit."""

    def skipped(reason: str, detail: str) -> InputFile:
        location.unlink(missing_ok=True)
        return InputFile(display, location, SkippedFile(display, reason, detail))

    limit = config.max_file_bytes
    size = 0
    try:
        stream = _open_remote(fs, path, url)
    except OSError as err:
        return skipped("unreadable", str(err))
    # a write to the spool failing (a full disk) is not caught: the run cannot go on
    with stream, open(location, "xb") as out:
        while True:
            try:
                block = stream.read(REMOTE_BLOCK_BYTES)
            except OSError as err:
                out.close()
                return skipped("unreadable", read.remote_read_failed(url, err))
            if not block:
                break
            size += len(block)
            if size > limit:
                out.close()
                return skipped("too-large", read.remote_too_large(url, limit))
            out.write(block)
    return InputFile(display, location)


def _named_text(item: InputFile) -> bool:
    """A file whose name says it is plain text (`.txt`, compressed or not): not sniffed
    for HTML (a corpus of text pages is read as it always was, one system call a file)."""
    name = item.location.name.lower()
    return name.endswith(".txt") or any(name.endswith(f".txt.{c}") for c in COMPRESSIONS)


#: The input path that means stdin, and the name its pages are shown by (`<stdin>`, or
#: `<stdin>#3` for the third line of JSONL).
STDIN = "-"
STDIN_NAME = "<stdin>"
#: The first bytes of a compressed stream, by compression.
_MAGIC = (("gz", b"\x1f\x8b"), ("bz2", b"BZh"), ("zst", b"\x28\xb5\x2f\xfd"))


def _discover_stdin(config: Config, folders: _SpoolFolders) -> Iterator[InputFile]:
    """The pages of stdin, copied to the spool as it comes: what it holds is told by its
    content (unless `config.input_format` names it): compressed by its first bytes, JSONL
    when its first non-blank character opens a JSON object, a WARC by its first line,
    else one page of text."""
    if folders.spool is None:
        raise ValueError("reading stdin needs a spool folder (pass spool=, or use containers.spooled)")
    folder = folders.new()
    copy = folder / "stdin"
    with open(copy, "xb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, REMOTE_BLOCK_BYTES)
    with open(copy, "rb") as raw:
        start = raw.read(4)
        compression = next((name for name, magic in _MAGIC if start.startswith(magic)), None)
        raw.seek(0)
        with decompressed(raw, compression) as stream:
            head = stream.read(1 << 16)
    kind = config.input_format
    if kind == "auto":
        opening = head.removeprefix(codecs.BOM_UTF8).lstrip()
        kind = "jsonl" if opening.startswith(b"{") else "warc" if opening.startswith(b"WARC/") else "txt"
    fmt = ContainerFormat(kind, compression)
    item = InputFile(STDIN_NAME, copy)
    if not fmt.is_container:
        return [item]
    return spool_container(item, fmt, folders.new(), config)


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


@contextlib.contextmanager
def spooled(
    paths: Iterable[str | os.PathLike],
    config: Config,
    spool_dir: str | os.PathLike | None = None,
    spool_urls: bool = True,
) -> Iterator[list[InputFile]]:
    """`discover` with a temporary spool folder (made in `spool_dir`, else the system's
    temporary folder), removed when the block ends, by an exception too:

        with spooled(paths, config) as files:
            pages = list(read.read_pages(files, config))

    `spool_urls`: as for `discover` (False: plain pages at URLs are read from there).
    """
    with scratch_folder("corpus-clean-spool-", spool_dir) as folder:
        yield discover(paths, config, Path(folder), spool_urls)
