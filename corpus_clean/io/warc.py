"""WARC and WET containers: one page per response, resource or conversion record;
warcinfo, request, metadata and revisit records are passed over."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import replace

from ..config import Config
from ..io.formats import (
    Contained,
    ContainedPage,
    ContainedSkip,
    _broken,
    _decode_payload,
    _html_page,
    _looks_like_html,
    _read_errors,
)

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
    # the record's WARC-Date is when the page was captured, kept as the input's date
    # (`input_date`); it is never taken for the article's date (when it was published)
    captured = record.rec_headers.get_header("WARC-Date") or None
    if media_type in _HTML_TYPES:
        page = _html_page(decoded, number, uri, where, config)
        return replace(page, date=captured) if isinstance(page, ContainedPage) else page
    if not decoded.strip():
        return ContainedSkip(number, "empty", f"{where}: no text in the payload")
    return ContainedPage(number, decoded, url=uri, date=captured)


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
