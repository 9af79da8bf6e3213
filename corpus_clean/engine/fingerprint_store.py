"""The first pass's fingerprint rows, gathered once per distinct text, on disk.

Every chunk of the first pass sends the band keys (264 bytes) of each distinct text
it met, and writes those texts to a scratch file (see `textstore`). A text repeated
across the corpus (a teaser, a menu) is in many chunks: at 1M pages the chunks sent
about 25M rows for about 8M distinct texts. Gathered as they came and deduplicated at
the end, that was 6.6 GB of rows and as much again to concatenate them.

`RowStore` keeps each text's row and text the first time a chunk brings it, and
drops the repeats as they arrive (the keys seen so far are a few sorted numpy arrays,
merged as they grow). What it keeps goes to disk: one file per column of the rows
(banding reads one band at a time: one file read, 8 bytes a text), one file of
texts with the end offset of each in memory, read back through `mmap` for
verification. The chunk's own text file is deleted once read. What stays in memory
is 16 bytes a distinct text (its key and its text's end offset).
"""

from __future__ import annotations

import mmap
import os
from array import array

import numpy as np

from ..dedup.sorted_sets import unique

_ENCODING = ("utf-8", "surrogatepass")


def on_disk(array: np.ndarray, path: str) -> np.ndarray:
    """The array, written to `path` and mapped back read-only: its pages are then the
    page cache's, which the kernel can drop and read again under memory pressure,
    where an array in memory could only be swapped (or the process killed)."""
    np.save(path, array)
    return np.load(path, mmap_mode="r")


class SortedKeySet:
    """A growing set of uint64 keys, as sorted numpy arrays of decreasing size (each
    at least twice the next): membership is a binary search in each, an insertion
    merges the small arrays it outgrows (every key is re-sorted about log n times)."""

    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(level) for level in self.levels)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        found = np.zeros(len(keys), dtype=bool)
        for level in self.levels:
            at = np.minimum(np.searchsorted(level, keys), len(level) - 1)
            found |= level[at] == keys
        return found

    def add(self, keys: np.ndarray) -> None:
        """Add keys not in the set yet (distinct)."""
        if not len(keys):
            return
        new = np.sort(keys)
        while self.levels and len(self.levels[-1]) <= 2 * len(new):
            new = unique(np.concatenate([self.levels.pop(), new]))
        self.levels.append(new)


class RowStore:
    """Rows and texts of distinct texts, taken from the first pass's chunks in order.

    `add` takes a chunk's row keys (distinct, sorted), their rows, and the file its
    worker wrote their texts to. `finish` sorts the keys: row i of `column(b)` and
    `text(i)` are then those of the i-th smallest key, whatever order chunks came in.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._seen = SortedKeySet()
        self._keys: list[np.ndarray] = []  # in arrival order
        self._columns: list | None = None  # one open file per column, once the width is known
        self._dtype: np.dtype | None = None
        self._texts = open(os.path.join(folder, "texts.bin"), "wb")  # noqa: SIM115 (lives with the store)
        self._text_ends = array("q")
        self._text_size = 0
        self.order: np.ndarray | None = None  # sorted position -> arrival position
        self.keys: np.ndarray | None = None  # sorted
        self._blob: mmap.mmap | None = None

    def add(self, keys: np.ndarray, rows: np.ndarray, texts_file: str | None) -> None:
        """Keep the rows (and texts) of the keys not seen before; delete `texts_file`."""
        keys = np.asarray(keys, dtype=np.uint64)
        new = ~self._seen.contains(keys)
        fresh = keys[new]
        self._seen.add(fresh)
        if self._columns is None:
            self._dtype = rows.dtype
            self._columns = [
                open(os.path.join(self.folder, f"column-{c}.bin"), "wb")  # noqa: SIM115
                for c in range(rows.shape[1])
            ]
        if len(fresh):
            self._keys.append(fresh)
            kept = rows[new]
            for c, out in enumerate(self._columns):
                out.write(np.ascontiguousarray(kept[:, c]).tobytes())
        if texts_file is not None:
            if len(fresh):
                self._take_texts(texts_file, new)
            os.unlink(texts_file)

    def _take_texts(self, path: str, new: np.ndarray) -> None:
        with open(path, "rb") as f:
            data = f.read()
        n = int(np.frombuffer(data, dtype="<u8", count=1)[0])
        ends = np.frombuffer(data, dtype="<i8", count=n, offset=8 + 8 * n)
        starts = np.concatenate([[0], ends[:-1]])
        blob = memoryview(data)[8 + 16 * n :]
        pieces = [blob[s:e] for s, e in zip(starts[new].tolist(), ends[new].tolist())]
        self._texts.write(b"".join(pieces))
        sizes = (ends[new] - starts[new]).tolist()
        for size in sizes:
            self._text_size += size
            self._text_ends.append(self._text_size)

    def finish(self) -> np.ndarray:
        """Sort the keys; return them (the row keys of `column` and `text`, in order)."""
        for out in self._columns or ():
            out.close()
        self._texts.close()
        arrival = np.concatenate(self._keys) if self._keys else np.empty(0, dtype=np.uint64)
        self._keys.clear()
        self._seen = SortedKeySet()
        self.order = np.argsort(arrival)
        self.keys = arrival[self.order]
        self._ends = np.frombuffer(self._text_ends, dtype=np.int64) if len(self._text_ends) else np.empty(0, np.int64)
        if self._text_size:
            with open(os.path.join(self.folder, "texts.bin"), "rb") as f:
                self._blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return self.keys

    @property
    def width(self) -> int:
        return len(self._columns or ())

    def __len__(self) -> int:
        return 0 if self.keys is None else len(self.keys)

    def column(self, c: int) -> np.ndarray:
        """Column c of every row, in sorted key order."""
        if self._dtype is None:
            return np.empty(0, dtype=np.uint64)
        return np.fromfile(os.path.join(self.folder, f"column-{c}.bin"), dtype=self._dtype)[self.order]

    def matrix(self) -> np.ndarray:
        """All the rows, in sorted key order (for the paths that need them whole)."""
        if not self.width:
            return np.empty((0, 0), dtype=np.uint64)
        return np.stack([self.column(c) for c in range(self.width)], axis=1)

    def text(self, i: int) -> str:
        """The text of the i-th row (in sorted key order)."""
        at = int(self.order[i])
        start, end = int(self._ends[at - 1]) if at else 0, int(self._ends[at])
        return str(self._blob[start:end], *_ENCODING) if end > start else ""

    def texts(self, rows: np.ndarray, file_order: bool = False) -> list[str]:
        """The texts of many rows (in sorted key order) at once. With `file_order`, they
        are read in the order they lie in the file (the rows are in the order of their
        keys: hashes), so that the file's pages are met going forward, not at random."""
        at = self.order[rows]
        ends = self._ends[at]
        starts = np.where(at > 0, self._ends[np.maximum(at - 1, 0)], 0)
        blob = self._blob
        if blob is None:
            return [""] * len(at)
        if not file_order:
            return [str(blob[s:e], *_ENCODING) for s, e in zip(starts.tolist(), ends.tolist())]
        texts: list[str] = [""] * len(at)
        forward = np.argsort(starts, kind="stable")
        for i, s, e in zip(forward.tolist(), starts[forward].tolist(), ends[forward].tolist()):
            texts[i] = str(blob[s:e], *_ENCODING)
        return texts

    def text_offsets(self, rows: np.ndarray) -> np.ndarray:
        """Where the texts of rows (in sorted key order) start in the file of texts."""
        at = self.order[rows]
        return np.where(at > 0, self._ends[np.maximum(at - 1, 0)], 0)

    def close(self) -> None:
        if self._blob is not None:
            self._blob.close()
            self._blob = None
