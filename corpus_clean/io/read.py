"""Decode an input file (`InputFile`, as `listing.discover` finds them) into a `Page`,
or say why it is skipped (`SkippedFile`, with a reason): nothing is dropped silently.

A page may also be read where it is, through fsspec (`RemoteFile`: a plain page at a
URL, listed by `listing.discover(..., spool_urls=False)`, as the Dask engine does
so that its workers read the URL themselves): its size is asked of the file system
before its bytes are fetched, and the bytes are decoded as a local file's are.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from ..config import Config
from ..records import Page, PageMeta, SkippedFile, pickled_by_fields

#: Byte-order marks that name their encoding outright (UTF-16/32 files contain NUL
#: bytes, so they must be recognised before the binary check).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Share of invalid sequences up to which a file is still read as UTF-8.
_MAX_BROKEN_UTF8_SHARE = 0.005
#: Share of control characters above which decoded text is taken for binary data.
_MAX_CONTROL_SHARE = 0.05
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")  # C0 controls other than whitespace
#: Tie-break between encodings that decode a file equally well: the most used first.
_PREFERENCE = {
    name: rank
    for rank, name in enumerate(
        ["utf_8", "cp1252", "cp1251", "latin_1", "iso8859_15", "koi8_r", "cp1250", "iso8859_2", "gb18030", "shift_jis"]
    )
}


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """Where a page given by URL is read from, by whichever process reads it (a Dask worker)."""

    #: the fsspec file system; it pickles as its class and options (about 100 bytes),
    #: and unpickles to the instance fsspec caches in that process
    fs: Any
    path: str  #: the path on `fs`, used as it is (never parsed again from a URL)
    url: str  #: the page's URL, as skip reasons name it


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class InputFile:
    path: str  #: display path, relative to the root it was found under
    #: the file to read; for a page read through `remote`, its path on that file system
    #: (for messages only: it is not a local file)
    location: Path
    #: why the file cannot be read, when discovery already knows (a link out of the root)
    problem: SkippedFile | None = None
    # --- a page taken out of a container (see `containers`): `path` is then
    # "<container>#<record number>" and `location` its spooled copy; the fields below
    # are the provenance the container gave, None for a plain file or when not given
    url: str | None = None  #: the page's address (JSONL url field, WARC-Target-URI)
    title: str | None = None  #: the title the container gave (JSONL title, HTML <title>)
    date: str | None = None  #: the date the container gave, as written (JSONL date, WARC-Date)
    input_id: str | None = None  #: the record's id (JSONL id), as text
    fields: str | None = None  #: the record's fields kept (`Config.keep_fields`), as a JSON object's text
    #: a plain page read from its URL where it is (not spooled): `location` is then not read
    remote: RemoteFile | None = None
    #: an HTML page's headline and date, candidates beside what its text shows (see `html`)
    meta: PageMeta | None = None


class InputError(ValueError):
    """An input path that cannot be used at all (the run cannot start)."""


def decode(data: bytes) -> tuple[str, str] | str:
    """Decode a file's bytes: (text, encoding), or a skip reason code."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                return "undecodable"
    if b"\x00" in data:
        return "binary"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # mostly UTF-8 with a few broken bytes (a truncated character, a pasted legacy
    # fragment): keep the UTF-8 and mark the broken bytes, rather than read the whole
    # file in a legacy encoding as mojibake
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= _MAX_BROKEN_UTF8_SHARE * len(text):
        return text, "utf-8 (invalid bytes replaced)"
    matches = list(from_bytes(data))
    if not matches:
        return "undecodable"
    # charset-normalizer can rank several encodings equal (cp1250 and cp1252 read most
    # Western text alike); among equals, take the one most pages are written in
    best = min(matches, key=lambda m: (m.chaos, -m.coherence, _PREFERENCE.get(m.encoding, len(_PREFERENCE))))
    return str(best), best.encoding


#: The bytes of `_CONTROLS`: in UTF-8 (valid, or with broken bytes replaced) a control
#: character of the text is exactly one of these bytes.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])


def _may_hold_controls(data: bytes, encoding: str) -> bool:
    """False when the text decoded from `data` surely holds no `_CONTROLS`: UTF-8 bytes
    with none of `_CONTROL_BYTES` (one C pass over the bytes, ten times faster than
    the regular expression over the text, and true of nearly every page)."""
    return not encoding.startswith("utf-8") or len(data.translate(None, _CONTROL_BYTES)) != len(data)


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    return len(_CONTROLS.findall(sample)) > _MAX_CONTROL_SHARE * len(sample)


_SKIP_ADVICE = {
    "empty": "the file holds no text; nothing to do unless it should not be empty",
    "binary": "the file holds binary data (NUL or control bytes), not text; narrow --glob if it should not be read",
    "undecodable": "no text encoding fits its bytes; convert it to UTF-8",
    "too-large": "the file is larger than the limit; raise the limit or split the file",
}


def read_file(item: InputFile, index: int, config: Config) -> Page | SkippedFile:
    """Decode one file into a Page numbered `index`, or say why it was skipped."""
    if item.problem is not None:
        return item.problem
    data = _remote_bytes(item, config) if item.remote is not None else _local_bytes(item, config)
    if isinstance(data, SkippedFile):
        return data
    decoded = decode(data)
    if isinstance(decoded, str):
        return SkippedFile(item.path, decoded, _SKIP_ADVICE[decoded])
    text, encoding = decoded
    if not text.strip():
        return SkippedFile(item.path, "empty", _SKIP_ADVICE["empty"])
    if _may_hold_controls(data, encoding) and _looks_binary(text):
        return SkippedFile(item.path, "binary", _SKIP_ADVICE["binary"])
    return Page(index=index, path=item.path, location=item.location, text=text, encoding=encoding)


def _local_bytes(item: InputFile, config: Config) -> bytes | SkippedFile:
    # opened once, then asked about by its descriptor: a stat of the path and a read of
    # it looked the path up twice (non-blocking, so that a FIFO opens without a writer)
    try:
        fd = os.open(item.location, _OPEN_FLAGS)
    except OSError:  # a socket, or no such file: the path tells why
        return _local_bytes_by_path(item, config)
    try:
        skipped = _not_readable_as_page(item, os.fstat(fd), config)
        if skipped is not None:
            return skipped
        with open(fd, "rb", buffering=0, closefd=False) as file:
            return file.readall()
    except OSError as err:
        return SkippedFile(item.path, "unreadable", f"{err.strerror or err}; check its permissions")
    finally:
        os.close(fd)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _local_bytes_by_path(item: InputFile, config: Config) -> bytes | SkippedFile:
    try:
        skipped = _not_readable_as_page(item, item.location.stat(), config)
        return skipped if skipped is not None else item.location.read_bytes()
    except OSError as err:
        return SkippedFile(item.path, "unreadable", f"{err.strerror or err}; check its permissions")


def _not_readable_as_page(item: InputFile, info: os.stat_result, config: Config) -> SkippedFile | None:
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        return SkippedFile(item.path, "not-a-file", "not a regular file (a pipe, socket or device); not read")
    if info.st_size > config.max_file_bytes:
        return SkippedFile(
            item.path, "too-large", f"{info.st_size} bytes > {config.max_file_bytes}; " + _SKIP_ADVICE["too-large"]
        )
    return None


def _remote_bytes(item: InputFile, config: Config) -> bytes | SkippedFile:
    """The bytes of a page at a URL, or why not: its size first (a page over the limit is
    never fetched), then at most the limit and one byte (a page that grew meanwhile is
    still too large, not cut). The reasons and details are those a page at a URL gets
    when it is spooled (`remote._copy_remote_page`), so both engines report alike.
    An error that is not an OSError (a missing fsspec package or credentials on this
    machine) is not a property of the page: it is raised, and the run fails."""
    remote = item.remote
    assert remote is not None
    limit = config.max_file_bytes
    try:
        size = remote.fs.size(remote.path)
    except OSError as err:
        return SkippedFile(item.path, "unreadable", remote_open_failed(remote.url, err))
    if size is not None and size > limit:
        return SkippedFile(item.path, "too-large", remote_too_large(remote.url, limit))
    try:
        data = remote.fs.cat_file(remote.path, start=0, end=limit + 1)
    except OSError as err:
        return SkippedFile(item.path, "unreadable", remote_read_failed(remote.url, err))
    if len(data) > limit:
        return SkippedFile(item.path, "too-large", remote_too_large(remote.url, limit))
    return bytes(data)


def remote_open_failed(url: str, err: BaseException) -> str:
    return f"{url} cannot be opened: {first_line(err)}"


def remote_read_failed(url: str, err: BaseException) -> str:
    return f"{url}: reading it failed ({first_line(err)})"


def remote_too_large(url: str, limit: int) -> str:
    return f"{url}: over {limit} bytes; raise the limit or split the file"


def first_line(err: BaseException) -> str:
    """The first non-blank line of an error's message, else its type's name."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__
