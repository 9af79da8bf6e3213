"""Texts kept on disk rather than in memory: the first pass's texts, read back for
verification (`write_texts`, then `rowstore.RowStore`), and the merger's (`TextSpool`).

Which texts verification needs (the texts of candidate pairs) is known only once every
page is fingerprinted. Re-reading the pages that hold them was a third pass over
nearly the whole corpus (on the 100k-page benchmark corpus, 97,814 of 97,972 pages
hold a candidate's first occurrence: 16 s of 195). Instead each first-pass chunk
writes its distinct texts to a scratch file, which the main process reads as it
arrives, keeping each text once (see `rowstore`). A chunk's file is a sorted uint64
key array, the end offset of each text, then the texts as one UTF-8 blob.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import xxhash

from ..engine import signals

_HEADER = np.dtype("<u8")
_ENCODING = ("utf-8", "surrogatepass")  # lone surrogates of badly decoded pages survive


def write_texts(path: str, keys: np.ndarray, texts: Sequence[str]) -> None:
    """Write texts with their keys (uint64, sorted, one per text) to `path`."""
    encoded = [t.encode(*_ENCODING) for t in texts]
    ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
    with open(path, "wb") as out:
        out.write(np.array([len(keys)], dtype=_HEADER).tobytes())
        out.write(np.ascontiguousarray(keys, dtype="<u8").tobytes())
        out.write(ends.astype("<i8").tobytes())
        out.write(b"".join(encoded))


@contextmanager
def scratch_folder(prefix: str, parent: str | os.PathLike | None = None) -> Iterator[str]:
    """A new folder named `prefix` and a random part (under `parent`, else the system's
    temporary folder), removed when the block ends, however it ends.

    Its removal is set up before the folder exists: an interrupt at any point (between
    making the folder and entering the block, as `tempfile.mkdtemp` and
    `TemporaryDirectory` leave open) cannot leave it behind. The folder is made, and
    removed, with Ctrl-C and SIGTERM held back (`signals.deferred`): a second Ctrl-C
    during the removal does not cut it short."""
    parent = os.fspath(parent) if parent is not None else tempfile.gettempdir()
    folder: str | None = None  # the folder to remove: named before it is made
    try:
        with signals.deferred():
            while True:
                folder = os.path.abspath(os.path.join(parent, prefix + secrets.token_hex(6)))
                try:
                    os.mkdir(folder, 0o700)
                except FileExistsError:
                    folder = None  # another's: never removed here
                    continue
                break
        yield folder
    finally:
        if folder is not None:
            try:
                with signals.deferred():
                    shutil.rmtree(folder, ignore_errors=True)
            except BaseException:  # an interrupt before the signals were held: remove it all the same
                shutil.rmtree(folder, ignore_errors=True)
                raise


def text_folder(parent: str | os.PathLike | None):
    """A scratch folder for the run's text files (under `parent`, else the system's
    temporary folder), removed when the run ends, however it ends."""
    return scratch_folder("corpus-clean-texts-", parent)


class TextSpool:
    """Texts put away on disk, each once: `put` gives a text's handle (a small int),
    `get` the text back.

    The merger keeps every variant of every article's text until the end of the run, a
    gigabyte at 100k pages if held as strings; here it holds about 100 bytes a distinct
    text (its 128-bit hash, its handle, its end offset) and the text goes to an
    anonymous temporary file (unlinked as soon as it is made: it is gone with the spool,
    however the process ends). Equal texts are told by their xxh3-128 hash.
    """

    #: Bytes gathered before one write to the file.
    WRITE_BYTES = 1 << 20
    #: Bytes read at once by `get_many`.
    READ_BYTES = 8 << 20

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self._file = tempfile.TemporaryFile(prefix="corpus-clean-merge-", dir=folder)  # noqa: SIM115 (lives with the spool)
        self._handles: dict[int, int] = {}
        self._ends = array("q")  # end offset of each text in the file, by handle
        self._pending: list[bytes] = []
        self._written = 0  # bytes in the file; the ones after it are pending
        self._size = 0

    def put(self, text: str) -> int:
        data = text.encode(*_ENCODING)
        digest = xxhash.xxh3_128_intdigest(data)
        handle = self._handles.get(digest)
        if handle is None:
            handle = self._handles[digest] = len(self._ends)
            self._pending.append(data)
            self._size += len(data)
            self._ends.append(self._size)
            if self._size - self._written >= self.WRITE_BYTES:
                self._flush()
        return handle

    def get(self, handle: int) -> str:
        start = self._ends[handle - 1] if handle else 0
        end = self._ends[handle]
        if end > self._written:
            self._flush()
        return str(os.pread(self._file.fileno(), end - start, start), *_ENCODING)

    def get_many(self, handles: Sequence[int]) -> list[str]:
        """The texts of these handles (sorted ascending), reading the file in order, a
        few megabytes at a time rather than once per text."""
        if self._size > self._written:
            self._flush()
        texts: list[str] = []
        fd, ends = self._file.fileno(), self._ends
        i = 0
        while i < len(handles):
            block_start = ends[handles[i] - 1] if handles[i] else 0
            j = i
            while j < len(handles) and ends[handles[j]] - block_start <= self.READ_BYTES:
                j += 1
            j = max(j, i + 1)  # a text longer than a block is read alone
            block = os.pread(fd, ends[handles[j - 1]] - block_start, block_start)
            for h in handles[i:j]:
                start = (ends[h - 1] if h else 0) - block_start
                texts.append(str(block[start : ends[h] - block_start], *_ENCODING))
            i = j
        return texts

    def __len__(self) -> int:
        return len(self._ends)

    def _flush(self) -> None:
        self._file.write(b"".join(self._pending))
        self._file.flush()
        self._pending.clear()
        self._written = self._size

    def close(self) -> None:
        self._file.close()
