"""Find the input files (`discover`): the first step of every run.

Local folders are walked (their files matching `Config.glob`, in sorted order, links
followed only as `Config.follow_symlinks` says), URLs listed with fsspec, stdin copied
to the spool; every container found is replaced by its pages, taken out to the spool
(see `containers`). Every file found ends up as an `InputFile`, the ones that cannot be
read with their reason: nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import contextlib
import fnmatch
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from ..config import Config
from ..engine.text_spool import scratch_folder
from ..io.containers import _FILES_PER_FOLDER, _SpoolFolders, spool_container
from ..io.formats import ContainerFormat, _first_line, _named_text, _sniffed_format, decompressed, detect_format
from ..io.read import InputError, InputFile, RemoteFile
from ..io.remote import REMOTE_BLOCK_BYTES, _copy_remote_page, _open_remote, _remote_walk, is_url, url_filesystem
from ..records import SkippedFile


def discover(
    paths: Iterable[str | os.PathLike], config: Config, spool: Path | None = None, spool_urls: bool = True
) -> list[InputFile]:
    """List the pages to read, in a stable order: `_local_files`'s files, with each
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
    to the deepest folder holding them all (`common_base`); URLs, when every path is
    one, relative to the deepest URL holding them all (`_common_url`), else by their whole
    URL.
    """
    found: list[InputFile] = []
    folders = _SpoolFolders(spool)
    seen: set[object] = set()
    paths = list(paths)
    # several input folders may hold the same names: each is then shown from their common folder
    base = common_base([p for p in paths if not is_url(p) and p != STDIN])
    urls = [str(p) for p in paths if is_url(p)]
    url_base = _common_url(urls) if len(urls) == len(paths) else None
    if sum(1 for p in paths if isinstance(p, str) and p == STDIN) > 1:
        raise InputError(f"{STDIN}: stdin can be read once; give it once")
    for raw in paths:
        if isinstance(raw, str) and raw == STDIN:
            found.extend(_discover_stdin(config, folders))
            continue
        if is_url(raw):
            url = str(raw).rstrip("/")
            shown = "" if len(paths) == 1 else (url[len(url_base) + 1 :] if url_base else url) + "/"
            found.extend(_discover_url(str(raw), config, folders, seen, spool_urls, shown))
            continue
        # as `_local_files` does across its paths: a file reached twice is read once
        for item in _local_files([raw], config, seen, base):
            found.extend(_local_item(item, config, spool, folders))
    return found


def _common_url(urls: list[str]) -> str | None:
    """The deepest URL holding every one of `urls` (`s3://bucket/crawl` for
    `s3://bucket/crawl/a/` and `s3://bucket/crawl/b/`), as `common_base` is for local
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
            "reading its pages needs a spool folder (pass spool=, or use listing.spooled)"
        )
    return spool_container(item, fmt, folders.new(), config)


def _local_files(
    paths: Iterable[str | os.PathLike], config: Config, seen: set | None = None, base: str | None = None
) -> list[InputFile]:
    """The local files under `paths`, in a stable order (containers not opened).

    A folder is walked recursively and its files matching `config.glob` are taken in
    sorted order; their display path is relative to that folder. A file given directly
    is taken as given, whatever its name. With `base` (a folder holding every path;
    see `common_base`), display paths are relative to it instead: the same name in two
    input folders stays two names. Symbolic links are not followed out of the
    folder, nor into folders, unless `config.follow_symlinks`; a link loop is never
    followed. Whatever is not followed is listed with the reason, never dropped silently,
    and so is a folder that cannot be listed.

    A file reached twice (through two input paths, or a link) is listed once. `seen`
    holds what identifies the files listed already (see `_identity`); pass the same set
    to several calls to list each file once across them.
    """
    found: list[InputFile] = []
    seen = set() if seen is None else seen
    real_folders: dict[str, str] = {}
    for raw in paths:
        root = Path(raw)
        shown = root.as_posix() if base is None else Path(os.path.relpath(os.path.abspath(root), base)).as_posix()
        if root.is_dir():
            candidates = _walk(root, config, "" if base is None or shown == "." else shown + "/")
        elif root.is_file():
            item = InputFile(path=shown, location=root)
            candidates = [(item, _identity(item, root.is_symlink(), real_folders))]
        elif root.exists():
            raise InputError(f"{raw}: not a regular file or folder")
        else:
            raise InputError(f"{raw}: no such file or folder")
        for item, key in candidates:
            if key not in seen:
                seen.add(key)
                found.append(item)
    return found


def common_base(paths: Iterable[str | os.PathLike]) -> str | None:
    """The folder that display paths are relative to when several local paths are read
    (see `_local_files`): the deepest folder holding them all. None for fewer than two
    distinct paths, whose names are as they always were."""
    absolute = sorted({os.path.abspath(p) for p in paths})
    if len(absolute) < 2:
        return None
    base = os.path.commonpath(absolute)
    return base if os.path.isdir(base) else os.path.dirname(base)


def _identity(item: InputFile, is_link: bool, real_folders: dict[str, str]) -> str:
    """What makes two listed files the same file: its real path. A file's folder is
    resolved once for all its files (resolving each file walks every folder above it: a
    second per 10k files), the file itself only when it is a link."""
    location = os.fspath(item.location)
    if item.problem is not None:
        return os.path.abspath(location)
    if is_link:
        return os.path.realpath(location)
    parent, name = os.path.split(location)
    folder = real_folders.get(parent)
    if folder is None:
        folder = real_folders[parent] = os.path.realpath(parent or ".")
    return os.path.join(folder, name)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk(root: Path, config: Config, shown: str = "") -> list[tuple[InputFile, str]]:
    """The files under `root` matching the glob, sorted by display path (`shown` and the
    path under `root`), each with its identity (see `_identity`). Folders are listed with `os.scandir`, whose entries
    know their type: no system call per file (100k files list in about a second)."""
    real_root = os.path.realpath(root)
    visited = {real_root}
    out: list[tuple[InputFile, str]] = []
    # depth first, each folder's subfolders in name order (so that of two links to one
    # folder, the first in that order is followed); the order of the output is sorted below
    stack: list[tuple[str, str]] = [(os.fspath(root), shown)]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            if folder == os.fspath(root):
                raise InputError(f"{root}: the folder cannot be listed ({err.strerror or err})") from None
            out.append(
                _skipped(folder, prefix[:-1], "unreadable", f"a folder that cannot be listed ({err.strerror or err})")
            )
            continue
        subfolders = _add_files(folder, prefix, entries, config, real_root, out)
        stack.extend(reversed(_folders_to_read(subfolders, prefix, config, real_root, visited, out)))
    out.sort(key=lambda pair: pair[0].path)
    return out


def _skipped(location: str, rel: str, reason: str, detail: str) -> tuple[InputFile, str]:
    """A file or folder that is not read, with its reason, in `_walk`'s output."""
    return InputFile(rel, Path(location), SkippedFile(rel, reason, detail)), os.path.abspath(location)


def _add_files(
    folder: str,
    prefix: str,
    entries: list[os.DirEntry],
    config: Config,
    real_root: str,
    out: list[tuple[InputFile, str]],
) -> list[os.DirEntry]:
    """Add a folder's files that match the glob to `out` (a link out of the input folders
    as skipped, unless links are followed); return its subfolders."""
    pattern = config.glob
    match_path = "/" in pattern
    folder_path = Path(folder)  # its files' Paths are made from it: a name is quicker to parse than a path
    real_folder: str | None = None  # `_identity`'s resolved folder, once for all its files
    subfolders = []
    for entry in entries:
        rel = prefix + entry.name
        try:
            is_dir = entry.is_dir()  # through links, as os.walk sorts them
        except OSError:
            is_dir = False
        if is_dir:
            subfolders.append(entry)
            continue
        if not fnmatch.fnmatchcase(rel if match_path else entry.name, pattern):
            continue
        is_link = entry.is_symlink()
        if is_link and not config.follow_symlinks and not _inside(Path(os.path.realpath(entry.path)), Path(real_root)):
            out.append(
                _skipped(
                    entry.path,
                    rel,
                    "symlink",
                    "a link to a file outside the folder is not followed; use --follow-symlinks",
                )
            )
            continue
        if is_link:
            identity = os.path.realpath(entry.path)
        else:
            if real_folder is None:
                real_folder = os.path.realpath(folder)
            identity = os.path.join(real_folder, entry.name)
        out.append((InputFile(path=rel, location=folder_path / entry.name), identity))
    return subfolders


def _folders_to_read(
    subfolders: list[os.DirEntry],
    prefix: str,
    config: Config,
    real_root: str,
    visited: set[str],
    out: list[tuple[InputFile, str]],
) -> list[tuple[str, str]]:
    """The subfolders to list next, in name order, with their display prefixes; a link to a
    folder is skipped (added to `out` with its reason) unless links are followed, and a link
    back to a folder already read always is."""
    followed = []
    for entry in sorted(subfolders, key=lambda e: e.name):
        rel = prefix + entry.name
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if not config.follow_symlinks:
                out.append(
                    _skipped(entry.path, rel, "symlink", "a link to a folder is not followed; use --follow-symlinks")
                )
                continue
            if target in visited or _inside(Path(real_root), Path(target)):
                out.append(_skipped(entry.path, rel, "link-loop", "a link back to a folder already read; not followed"))
                continue
            visited.add(target)
        followed.append((entry.path, rel + "/"))
    return followed


def _discover_url(
    url: str, config: Config, folders: _SpoolFolders, seen: set[object], spool_urls: bool, shown: str = ""
) -> Iterator[InputFile]:
    """The pages of the files at `url`: listed first (a missing URL stops the run before
    anything is read, like a missing local path), then streamed into the spool (or, with
    `spool_urls` False, plain pages listed to be read from the URL)."""
    try:
        fs, root = url_filesystem(url)
    except ValueError as err:
        raise InputError(str(err)) from None
    try:
        if fs.isdir(root):
            base = url.rstrip("/")
            # (`shown`: with other inputs beside it, the part of the URL that keeps names apart)
            listed = _remote_walk(fs, root, config)
            files = [(f"{shown}{rel}", path, f"{base}/{rel}") for rel, path in listed]
        elif fs.isfile(root):
            files = [(shown.rstrip("/") or url, root, url)]
        else:
            raise InputError(f"{url}: no such file or folder")
    except OSError as err:
        raise InputError(f"{url}: cannot be listed ({_first_line(err)})") from None
    if not files:
        return iter(())
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    fresh = []
    for display, path, file_url in files:
        if (protocol, path) not in seen:
            seen.add((protocol, path))
            fresh.append((display, path, file_url))
    return _remote_files(fs, url, fresh, config, folders, spool_urls)


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
                "folder (pass spool=, or use listing.spooled)"
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
        raise ValueError("reading stdin needs a spool folder (pass spool=, or use listing.spooled)")
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
            pages = [read.read_file(item, index, config) for index, item in enumerate(files)]

    `spool_urls`: as for `discover` (False: plain pages at URLs are read from there).
    """
    with scratch_folder("corpus-clean-spool-", spool_dir) as folder:
        yield discover(paths, config, Path(folder), spool_urls)
