"""Sorted distinct values of 1-D numpy arrays, the way the pipeline needs them, fast.

`np.unique` on integer arrays takes a hash-table path in numpy 2.3+ that is far
slower than sorting on this workload (tens of millions of int64, where a sort and a
compare of neighbours is some fifty times faster). These functions
give the same results as `np.unique` (sorted values; the first index of each value;
the inverse) by sorting, on any numpy version.
"""

from __future__ import annotations

import numpy as np


def run_starts(*columns: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array, or of
    equal rows in several columns sorted together."""
    first = np.empty(len(columns[0]), dtype=bool)
    if len(first):
        first[0] = True
        np.not_equal(columns[0][1:], columns[0][:-1], out=first[1:])
        for column in columns[1:]:
            first[1:] |= column[1:] != column[:-1]
    return first


def unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` for a 1-D array: its distinct values, sorted."""
    ordered = np.sort(np.asarray(values).ravel())
    return ordered[run_starts(ordered)]


def unique_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_index=True)`: distinct values, sorted, and the index of
    each one's first occurrence."""
    values = np.asarray(values).ravel()
    order = np.argsort(values, kind="stable")  # stable: equal values keep input order
    first = run_starts(values[order])
    return values[order[first]], order[first]


def unique_inverse(values: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)`: distinct values, sorted, and for each
    element the index of its value among them. With `overwrite` (values of 8 bytes),
    the inverse is written over `values`, and the sorted copy's memory holds the ranks:
    two arrays of the input's size fewer at once (half a gigabyte at 1M pages)."""
    values = np.asarray(values).ravel()
    order = np.argsort(values)
    ordered = values[order]
    first = run_starts(ordered)
    distinct = ordered[first]
    reuse = ordered.dtype.itemsize == 8 and ordered.dtype.kind in "iu"
    rank = np.cumsum(first, dtype=np.int64, out=ordered.view(np.int64) if reuse else None)
    del ordered
    rank -= 1
    if overwrite and values.dtype.itemsize == 8 and values.dtype.kind in "iu" and values.flags.writeable:
        inverse = values.view(np.int64)
    else:
        inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = rank
    return distinct, inverse
