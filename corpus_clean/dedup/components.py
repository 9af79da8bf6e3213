"""Connected components of a graph given as edges between 0..n-1, in numpy: every
element points to a smaller one or itself, so each tree's root is its smallest member,
which names the component whatever order the edges came in.

`components` finds them for a whole set of edges at once; `join` adds edges batch after
batch to a forest (walking only the trees they touch), `find_roots` asks the trees of
some elements, `flatten` points every element at its root. Every user of connected
components (the cluster stage, the Dask engine's partitions, the folding of article
groups, `check`'s near-duplicates) goes through these.
"""

from __future__ import annotations

import numpy as np


def components(n: int, edges: np.ndarray, parent: np.ndarray | None = None) -> np.ndarray:
    """For each of 0..n-1, the smallest element of its connected component under `edges`
    ((k, 2) int array). `parent`: components found before (what this function
    returned), which `edges` join further (it is not changed).

    Each round hooks the larger root of every edge whose ends are in different trees
    onto the smaller one, then halves paths until every element points at its root;
    the trees left when no edge joins two of them are the components.
    """
    parent = np.arange(n, dtype=np.int64) if parent is None else parent.copy()
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    while len(edges):
        ends = parent[edges]
        lo, hi = ends.min(axis=1), ends.max(axis=1)
        apart = lo != hi
        if not apart.any():
            break
        edges, lo, hi = edges[apart], lo[apart], hi[apart]
        np.minimum.at(parent, hi, lo)  # hi and lo are roots: trees join, smaller root wins
        parent = _flat(parent)
    return parent


def find_roots(parent: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The roots of the trees of elements `x` under `parent` (any shape of x), and, on
    the way, every element of x pointed at its root (path compression, in place)."""
    roots = parent[x]
    while True:
        up = parent[roots]
        if np.array_equal(up, roots):
            break
        roots = up
    parent[x] = roots
    return roots


def join(parent: np.ndarray, edges: np.ndarray) -> None:
    """Join, in place, the trees of the two ends of every edge ((k, 2) array): what
    `components` does, for many small batches of edges in a row. `parent` need not be
    flat (`flatten` makes it so): only the trees the edges touch are walked, where
    `components` walks every element each time (at 1M pages, 8M texts for each of
    hundreds of batches)."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    while len(edges):
        ends = find_roots(parent, edges)
        lo, hi = ends.min(axis=1), ends.max(axis=1)
        apart = lo != hi
        if not apart.any():
            return
        edges, lo, hi = edges[apart], lo[apart], hi[apart]
        np.minimum.at(parent, hi, lo)  # roots join, the smaller wins (as in `components`)


def flatten(parent: np.ndarray) -> np.ndarray:
    """Every element pointed at its root, in place (`components`' form of the trees);
    returns `parent`. The trees may be any forest whose roots point at themselves."""
    flat = _flat(parent)
    if flat is not parent:
        parent[:] = flat
    return parent


def _flat(parent: np.ndarray) -> np.ndarray:
    """`parent` with every element pointed at its root (a new array when any moved)."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up
