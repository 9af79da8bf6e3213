"""Inputs and outputs given as URLs (`s3://bucket/crawl/`, `gs://...`, `memory://...`:
any file system fsspec knows): telling a URL from a path, finding its file system,
listing a folder, and streaming a file a block at a time (a plain page is copied to
the spool as it is)."""

from __future__ import annotations

import fnmatch
import io
import re
from pathlib import Path
from typing import Any

from ..config import Config
from ..io import read
from ..io.formats import _first_line
from ..io.read import InputFile
from ..records import SkippedFile

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
