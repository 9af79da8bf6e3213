"""Files that appear whole or not at all.

A file is written to a temporary name beside its target (same folder, so the rename
cannot cross file systems), flushed, synced and renamed over the target only when
complete: an interrupted run leaves the previous file (or none), never a partial
one, and never a temporary file behind. The articles' own writer (`write`) builds on
the same pieces to handle several formats and shards.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike) -> Iterator[TextIO]:
    """A UTF-8 text file open at a temporary name beside `target`; on success it replaces `target`."""
    target = Path(target)
    mode = output_mode(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # mkstemp makes 0600; the output gets what a plain open() would give
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def output_mode(final: Path) -> int:
    """Permissions for an output: those of the file it replaces, else the default for a new file."""
    try:
        return stat.S_IMODE(os.stat(final).st_mode)
    except OSError:
        umask = os.umask(0o022)  # the only way to read the umask; put back at once
        os.umask(umask)
        return 0o666 & ~umask


def fsync_folder(folder: Path) -> None:
    """Make renames durable too (POSIX); where folders cannot be opened, there is nothing to do."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
