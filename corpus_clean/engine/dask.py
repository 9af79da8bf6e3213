"""The plan's steps on a Dask cluster (`dask.distributed`): for crawls that outgrow one machine.

    clean_dask(paths, config) -> list[Article]      # same articles, same order as `local.clean`

The steps are the plan's (`plan.run`): this engine (`DaskEngine`) says only how chunk work
is mapped (as tasks, `partitions` chunks a pass, consumed in chunk order) and how the
clusters are computed. The local engine finds near-duplicates in its main process, where
candidate pairs, which grow with the square of the texts sharing a bucket, stop fitting
on a crawl large enough. Here they never come to one process:

1. the first pass's tasks keep their LSH band keys on the workers (the client takes only
   each chunk's per-paragraph keys and pages);
2. **LSH banding as a shuffle**: a frame of (band, band key, text key) rows is shuffled on
   (band, band key), so every bucket lands whole in one partition, and paired there by
   the rules of `candidates.band_candidates` (every pair of a bucket of at most
   `MAX_BUCKET_PAIRS_SIZE` texts, else a chain plus a star in key order); pairs found in
   several bands are dropped by a second shuffle;
3. **verification as map tasks**: the candidates' texts are fetched by re-reading the
   pages that hold them (`plan.fetch_plan`, `chunk_work.fetch_texts_chunk`), joined to
   the pairs and checked partition by partition with `verify.verify` itself;
4. **connected components** by min-label propagation on a contracting graph
   (`component_labels`): each text ends labelled with the smallest key of its
   component, the local engine's representative; `clusters.cluster_arrays` turns the
   labels into the per-paragraph arrays, with the local engine's code.

The client holds what the local engine's main process holds per paragraph (about 40
bytes), plus 8 bytes per text with band keys, per text to verify, and 16 per text on a
verified edge. Pairs, edges, band keys and texts stay on the workers, in partitions of
bounded size (`ROWS_PER_PARTITION`, `JOINED_ROWS_PER_PARTITION`). Every choice is made by
keys and input positions, never by the order work finished in, so the articles equal the
local engine's, with any partition count and with a worker killed in the middle of a run.

Inputs: a plain page at an fsspec URL is read by the workers from its URL (only the file
system's package and credentials are needed on them); pages given as local paths, and
the spool of containers (`Config.spool_dir`), must be seen by every worker at the same
paths. The datasketch backend, the incremental index and the recording of removed lines
(`--removed`, `--report`'s per-file accounts) are not supported by this engine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial

import numpy as np

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("the dask engine needs the optional extra: pip install 'corpus-clean[dask]'") from err

from ..audit.report import Report
from ..config import Config
from ..dedup.candidates import MAX_BUCKET_PAIRS_SIZE, _bucket_pairs
from ..dedup.clusters import cluster_arrays
from ..dedup.components import components
from ..dedup.fingerprints import lsh_params
from ..dedup.sorted_sets import unique_inverse
from ..dedup.verify import verification_sample, verify
from ..engine import plan
from ..engine.chunk_work import FingerprintChunk, fetch_texts_chunk
from ..engine.workers import LazyChunks, chunked
from ..io.listing import spooled
from ..records import Article

__all__ = ["clean_dask", "component_labels", "default_partitions"]

#: Pages per partition when `partitions` is not given: a partition is one fingerprint task
#: and one segment task, and its band rows are one input of the LSH shuffle.
PAGES_PER_PARTITION = 256
#: Rows per partition of the shuffled frames when `partitions` is not given: band rows
#: and pairs (24 bytes a row), and pairs joined with their two texts (verification
#: samples: about 1 kB a row for typical paragraphs, at most 40 kB).
ROWS_PER_PARTITION = 4_000_000
JOINED_ROWS_PER_PARTITION = 250_000

#: How shuffles (LSH buckets, pair deduplication, joins, label minima) move data
#: between workers: as ordinary tasks, which the scheduler recomputes like any other
#: when a worker dies ("p2p" is faster on large frames, but on this version a shuffle
#: whose output is read again after it ended can fail and be retried).
SHUFFLE_METHOD = "tasks"

_U64 = np.uint64


# --- the run ------------------------------------------------------------------------------


def clean_dask(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    config: Config | None = None,
    report: Report | None = None,
    client: Client | None = None,
    n_workers: int | None = None,
    partitions: int | None = None,
    progress: plan.Progress | None = None,
) -> list[Article]:
    """The unique articles of the pages under `paths`, in order of first appearance:
    the same articles, in the same order, as `list(local.clean(paths, config))`.

    `client`: a `distributed.Client` to run on (its workers must see local input files,
    and the spool of containers, at the same paths; pages at URLs they read from
    there); when None, a `LocalCluster` of `n_workers` processes (default:
    `config.jobs`, else 2) is started for the run and closed after it. `partitions`:
    how many pieces the pages, the band rows and the pairs are cut into (default
    `default_partitions`); it changes how work is spread, never the result. `report`
    and `progress` are as for `local.clean`.
    Raises `read.InputError` when a path does not exist, `ValueError` for a
    configuration this engine does not support, and whatever the cluster raises when
    it cannot finish (`distributed.KilledWorker` when a task killed its workers
    repeatedly): a run returns all its articles or raises, never part of them.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    config = config or Config()
    if config.backend != "numpy":
        raise ValueError(f"the dask engine supports the numpy backend only, got backend={config.backend!r}")
    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions must be >= 1, got {partitions}")
    report = report if report is not None else Report()
    progress = progress or (lambda stage, done, total: None)
    with (
        # pages inside containers (JSONL, WARC, WET) are spooled once, as for the local
        # engine, but plain pages at URLs are read by the workers from there; listing
        # comes first, so that a missing path fails before any cluster starts
        spooled(list(paths), config, config.spool_dir, spool_urls=False) as files,
        _session(client, n_workers or config.jobs or 2) as session,
        dask.config.set({"dataframe.shuffle.method": SHUFFLE_METHOD, "dataframe.convert-string": False}),
    ):
        clock = plan.StageClock(report.stage_seconds)
        done = plan.run(DaskEngine(session, len(files), partitions), files, config, clock, progress)
        report.gather(done.stats)
        articles = [done.read(article) for _, article in done.articles]
        report.seconds = clock.total()
        return articles


def default_partitions(n_files: int, n_workers: int) -> int:
    """Two pieces per worker at least (to balance), else one per `PAGES_PER_PARTITION` pages."""
    return max(1, 2 * n_workers, math.ceil(n_files / PAGES_PER_PARTITION))


@contextmanager
def _session(client: Client | None, n_workers: int) -> Iterator[Client]:
    if client is not None:
        yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,  # no dashboard, and its HTTP server on any free port
            scheduler_kwargs={"dashboard_address": ":0"},
        ) as cluster,
        Client(cluster, set_as_default=False) as own,
    ):
        yield own


class DaskEngine:
    """The plan's chunk work as tasks on one client, `partitions` chunks a pass; the
    first pass's band keys stay on the workers, for clustering by shuffles."""

    text_dir = None  # the workers write no texts: verification fetches the few it needs

    def __init__(self, client: Client, n_files: int, partitions: int | None) -> None:
        self.client = client
        self.workers = len(client.scheduler_info().get("workers", {})) or 1
        self.partitions = partitions or default_partitions(n_files, self.workers)
        self.forced_partitions = partitions
        self.fingerprints: list = []  # futures of the first pass's chunks, band keys and all
        self.row_keys: list[np.ndarray] = []  # per chunk: the keys of its texts with band keys
        self.fetched: list = []  # futures of the texts fetched for verification

    def chunks(self, n: int, make) -> LazyChunks:
        return LazyChunks(n, max(1, math.ceil(n / self.partitions)), make)

    def first_pass(self, func, chunks) -> Iterator[FingerprintChunk]:
        # reading is not a pure function of its arguments (files change): never reuse a
        # result of an earlier run that the scheduler may still hold
        self.fingerprints = self.client.map(func, list(chunks), pure=False)
        for future in self.client.map(_summary, self.fingerprints, pure=False):
            summary = future.result()
            future.release()
            self.row_keys.append(summary.row_keys)
            yield summary

    def forget_first_pass(self) -> None:
        pass  # the band keys are the clustering's

    def map(self, func, chunks) -> Iterator:
        # consumed in chunk order whatever order they finish in
        for future in self.client.map(func, list(chunks), pure=False):
            result = future.result()
            future.release()
            yield result

    def close(self) -> None:
        pass  # the cluster is the caller's, or `clean_dask`'s to close

    def _frame_partitions(self, rows: int, per_partition: int = ROWS_PER_PARTITION, spread: bool = True) -> int:
        """Partitions of a shuffled frame of about `rows` rows: as many as asked, else by
        size, and (with `spread`) at least one per worker, so that all of them work."""
        if self.forced_partitions:
            return self.forced_partitions
        return max(math.ceil(rows / per_partition), self.workers if spread else 1)

    def _compute(self, collection):
        return self.client.compute(collection).result()

    def _length(self, frame) -> int:
        return int(self._compute(frame.shape[0]))

    # -- clusters -------------------------------------------------------------------------

    def cluster(self, job: plan.ClusterJob) -> plan.Clusters:
        if job.index is not None:
            raise ValueError("the dask engine does not support an incremental index")
        self.config, self.stats = job.config, job.stats
        minhashed = np.unique(np.concatenate(self.row_keys))
        self.band_rows = sum(len(r) for r in self.row_keys) * lsh_params(job.config)[0]
        self.row_keys = []
        arrays = self._clusters(job, minhashed)
        # the band keys and fetched texts are not needed any more: free the workers' memory
        # (the dataframes built on them may live on in dask's caches, holding them)
        for future in self.fingerprints + self.fetched:
            future.release()
        self.fingerprints, self.fetched = [], []
        return plan.Clusters(arrays)

    def _clusters(self, job: plan.ClusterJob, minhashed: np.ndarray):
        config, stats, kept = job.config, job.stats, job.kept
        para_keys, para_empty = kept.keys, kept.empty
        stats.paragraphs = len(para_keys)
        stats.bands, stats.rows = lsh_params(config)
        distinct = np.unique(para_keys[~para_empty])
        stats.distinct_texts = len(distinct)
        stats.minhashed_texts = len(minhashed)
        roots = np.arange(len(distinct), dtype=np.int64)
        self.rounds = 0
        edges = self._edges(kept, job.files) if len(minhashed) >= 2 else None
        if edges is not None:
            # few partitions: a round costs a few shuffles, and one partition holding a
            # whole component settles it in that round
            parts = self._frame_partitions(stats.verified_pairs, spread=False)
            nodes, labels, self.rounds = component_labels(self.client, edges, parts)
            del edges
            # the representative of a component is its smallest key, so its smallest index
            # into the sorted distinct keys: the local engine's representative
            where = np.minimum(np.searchsorted(distinct, nodes), len(distinct) - 1)
            if np.any(distinct[where] != nodes):
                raise RuntimeError("a fingerprinted text is on no page kept: the input changed during the run")
            roots[where] = np.searchsorted(distinct, labels)
        return cluster_arrays(
            para_keys, para_empty, kept.pages, distinct, roots, config, stats, page_groups=job.page_groups
        )

    def _edges(self, kept: plan.KeptPages, files: list):
        """The verified pairs as a persisted dask dataframe (a, b), or None when there is none."""
        pairs = self._candidates(self.fingerprints)
        if not self.stats.candidate_pairs:
            return None
        edges = self._verified(pairs, kept, files)
        return edges if self.stats.verified_pairs else None

    def _candidates(self, fingerprints: list):
        """Candidate pairs (a < b, text keys), unique, as a persisted dask dataframe."""
        bands = dd.from_delayed(
            [dask.delayed(_band_frame, pure=True)(f) for f in fingerprints], meta=_band_frame(None), verify_meta=False
        )
        parts = self._frame_partitions(self.band_rows)
        buckets = bands.shuffle(on=["band", "bucket"], npartitions=parts)
        # one pass over a partition's buckets gives both its pairs and its capped counts
        done = [dask.delayed(_bucket_pairs_and_caps, nout=2, pure=True)(part) for part in buckets.to_delayed()]
        found = dd.from_delayed([d[0] for d in done], meta=_pair_frame(), verify_meta=False)
        pairs = found.shuffle(on=["a", "b"], npartitions=parts).map_partitions(_unique_pairs_frame, meta=_pair_frame())
        capped = dd.from_delayed([d[1] for d in done], meta=_cap_frame(), verify_meta=False).sum()
        pairs, capped = self.client.persist([pairs, capped])
        n_pairs = self._length(pairs)
        totals = self._compute(capped)
        self.stats.capped_buckets, self.stats.capped_pairs = int(totals["buckets"]), int(totals["pairs"])
        self.stats.candidate_pairs = n_pairs
        return pairs

    def _verified(self, pairs, kept: plan.KeptPages, files: list):
        """The candidate pairs whose texts are similar enough, as a persisted dask dataframe."""
        parts = self._frame_partitions(self.stats.candidate_pairs, JOINED_ROWS_PER_PARTITION)
        needed = dd.concat([pairs["a"], pairs["b"]]).drop_duplicates(split_out=parts)
        wanted_keys = np.sort(np.asarray(self._compute(needed), dtype=_U64))
        wanted = plan.fetch_plan(wanted_keys, kept, files)
        size = max(1, math.ceil(len(wanted) / self.partitions))
        fetched = self.client.map(partial(fetch_texts_chunk, self.config), chunked(wanted, size), pure=False)
        self.fetched.extend(fetched)
        texts = dd.from_delayed(
            [dask.delayed(_text_frame, pure=True)(f) for f in fetched], meta=_text_frame({}), verify_meta=False
        )
        joined = pairs.merge(
            texts.rename(columns={"key": "a", "text": "text_a"}), on="a", how="left", npartitions=parts
        ).merge(texts.rename(columns={"key": "b", "text": "text_b"}), on="b", how="left", npartitions=parts)
        edges = joined.map_partitions(_verify_frame, self.config.threshold, meta=_pair_frame())
        edges = self.client.persist(edges)
        self.stats.verified_pairs = self._length(edges)
        return edges


# --- connected components ----------------------------------------------------------------


def component_labels(client: Client, edges: dd.DataFrame, partitions: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Connected components of a graph given as a dask dataframe of edges (a, b) (uint64
    node ids): (every node on an edge, the smallest node of its component, rounds taken).

    Min-label propagation on a contracting graph. Each round gives every node of the
    current graph the smallest node of its connected component among the edges of its
    partition (`components`, within the partition), and keeps per node the minimum over
    the partitions: a node of the same component, never larger. Then each edge is rewritten
    onto the labels of its ends, edges that became loops are dropped, and the labels of
    the original nodes follow their labels' new labels. Contracting a node into a node of
    its own component keeps the components, and a component's smallest node always keeps
    itself as label; so when no edge is left, every node is labelled with the smallest
    node of its component. The graph shrinks every round (the nodes that keep their
    label have no edge between them), so a long chain split over many partitions takes a
    few rounds, not its length. Only the final labels come to the client (16 bytes a
    node), never the edges.
    """
    graph, labels, rounds = edges[["a", "b"]], None, 0
    while True:
        rounds += 1
        local = graph.map_partitions(_local_components_frame, meta=_label_frame())
        smallest = local.groupby("node").agg({"label": "min"}, split_out=partitions).reset_index()
        graph = graph.merge(smallest.rename(columns={"node": "a", "label": "label_a"}), on="a", npartitions=partitions)
        graph = graph.merge(smallest.rename(columns={"node": "b", "label": "label_b"}), on="b", npartitions=partitions)
        graph = graph.map_partitions(_contracted_frame, meta=_pair_frame())
        graph = graph.shuffle(on=["a", "b"], npartitions=partitions).map_partitions(
            _unique_pairs_frame, meta=_pair_frame()
        )
        if labels is None:
            labels = smallest
        else:
            # nullable, so that labels without a new one stay exact 64-bit keys (not floats)
            renamed = smallest.rename(columns={"node": "label", "label": "new"}).astype({"new": "UInt64"})
            labels = labels.merge(renamed, on="label", how="left", npartitions=partitions)
            labels = labels.map_partitions(_relabelled_frame, meta=_label_frame())
        graph, labels = client.persist([graph, labels])
        if not int(client.compute(graph.shape[0]).result()):
            break
    result = client.compute(labels).result()
    return result["node"].to_numpy(dtype=_U64), result["label"].to_numpy(dtype=_U64), rounds


# --- tasks: plain functions of picklable arguments, run on the workers ----------------------


def _summary(chunk: FingerprintChunk) -> FingerprintChunk:
    """What the client keeps of a fingerprinted chunk: not its band keys."""
    return FingerprintChunk(
        chunk.pages, chunk.keys, chunk.empty, chunk.row_keys, np.empty((0, 0), _U64), slash_order=chunk.slash_order
    )


def _band_frame(chunk: FingerprintChunk | None) -> pd.DataFrame:
    """One row per (band, text) of the chunk: the band, the text's key in it, the text's key."""
    if chunk is None or not len(chunk.row_keys):
        return pd.DataFrame({"band": np.empty(0, np.uint16), "bucket": np.empty(0, _U64), "key": np.empty(0, _U64)})
    n, bands = chunk.rows.shape
    return pd.DataFrame(
        {
            "band": np.tile(np.arange(bands, dtype=np.uint16), n),
            "bucket": np.ascontiguousarray(chunk.rows, dtype=_U64).ravel(),
            "key": np.repeat(chunk.row_keys.astype(_U64), bands),
        }
    )


def _pair_frame(a: np.ndarray | None = None, b: np.ndarray | None = None) -> pd.DataFrame:
    empty = np.empty(0, _U64)
    return pd.DataFrame({"a": empty if a is None else a, "b": empty if b is None else b})


def _buckets(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The buckets of a shuffled partition: (text keys sorted by bucket then key, each
    bucket's start, its size), each text once per bucket (a text fingerprinted in
    several chunks, or on an exact copy of a page, has several identical rows)."""
    band = frame["band"].to_numpy()
    bucket = frame["bucket"].to_numpy(dtype=_U64)
    key = frame["key"].to_numpy(dtype=_U64)
    order = np.lexsort((key, bucket, band))
    band, bucket, key = band[order], bucket[order], key[order]
    if len(key):
        same_bucket = (band[1:] == band[:-1]) & (bucket[1:] == bucket[:-1])
        keep = np.concatenate([[True], ~(same_bucket & (key[1:] == key[:-1]))])
        band, bucket, key = band[keep], bucket[keep], key[keep]
    new = np.ones(len(key), dtype=bool)
    new[1:] = (band[1:] != band[:-1]) | (bucket[1:] != bucket[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(key)))
    return key, starts, sizes


def _cap_frame(buckets: int = 0, pairs: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"buckets": np.array([buckets], np.int64), "pairs": np.array([pairs], np.int64)})


def _bucket_pairs_and_caps(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate pairs of the buckets of a partition, by the rules of `band_candidates`,
    and (buckets capped, pairs not checked) counted as it counts them.

    There the rows are the distinct texts sorted by key, so ordering a bucket's rows and
    ordering its keys is the same thing: the pairs (and a capped bucket's chain and
    star) are the same, written as keys instead of row numbers.
    """
    key, starts, sizes = _buckets(frame)
    found = []
    capped = [0, 0]
    for size in np.unique(sizes[sizes > 1]).tolist():
        bucket_starts = starts[sizes == size]
        if size > MAX_BUCKET_PAIRS_SIZE:
            capped[0] += len(bucket_starts)
            capped[1] += len(bucket_starts) * (size * (size - 1) // 2 - (2 * size - 3))
            found.extend(_bucket_pairs(key[s : s + size]) for s in bucket_starts.tolist())
            continue
        i, j = np.triu_indices(size, k=1)
        a = key[bucket_starts[:, None] + i[None, :]].ravel()
        b = key[bucket_starts[:, None] + j[None, :]].ravel()
        found.append(np.stack([a, b], axis=1))
    if not found:
        return _pair_frame(), _cap_frame(*capped)
    pairs = np.unique(np.concatenate(found).astype(_U64), axis=0)  # fewer rows to shuffle
    return _pair_frame(pairs[:, 0], pairs[:, 1]), _cap_frame(*capped)


def _unique_pairs_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct pairs of a partition shuffled on the pair (found in several bands)."""
    if not len(frame):
        return _pair_frame()
    pairs = np.unique(np.stack([frame["a"].to_numpy(dtype=_U64), frame["b"].to_numpy(dtype=_U64)], axis=1), axis=0)
    return _pair_frame(pairs[:, 0], pairs[:, 1])


def _text_frame(texts: dict[int, str]) -> pd.DataFrame:
    """Fetched texts as rows (key, text), already cut to what verification compares."""
    return pd.DataFrame(
        {
            "key": np.fromiter(texts.keys(), dtype=_U64, count=len(texts)),
            "text": pd.Series([verification_sample(t) for t in texts.values()], dtype=object),
        }
    )


def _verify_frame(frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The pairs of a partition whose texts are at least `threshold` similar: `verify.verify`."""
    if not len(frame):
        return _pair_frame()
    left, right = frame["text_a"], frame["text_b"]
    if left.isna().any() or right.isna().any():
        raise RuntimeError("a paragraph could not be read again for verification: the input changed during the run")
    n = len(frame)
    texts = left.tolist() + right.tolist()
    index = np.arange(n, dtype=np.int64)
    ok = [i for i, _ in verify(np.stack([index, index + n], axis=1), texts.__getitem__, threshold)]
    return _pair_frame(frame["a"].to_numpy(dtype=_U64)[ok], frame["b"].to_numpy(dtype=_U64)[ok])


def _label_frame(node: np.ndarray | None = None, label: np.ndarray | None = None) -> pd.DataFrame:
    empty = np.empty(0, _U64)
    return pd.DataFrame({"node": empty if node is None else node, "label": empty if label is None else label})


def _local_components_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One round of label propagation within a partition of edges (a, b): every node
    gets the smallest node of its connected component among these edges."""
    if not len(frame):
        return _label_frame()
    ends = np.concatenate([frame["a"].to_numpy(dtype=_U64), frame["b"].to_numpy(dtype=_U64)])
    nodes, inverse = unique_inverse(ends)  # sorted: a component's smallest index is its smallest node
    m = len(frame)
    return _label_frame(nodes, nodes[components(len(nodes), np.stack([inverse[:m], inverse[m:]], axis=1))])


def _contracted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Edges (a, b, label_a, label_b) rewritten onto their labels, smaller first, without loops."""
    a, b = frame["label_a"].to_numpy(dtype=_U64), frame["label_b"].to_numpy(dtype=_U64)
    keep = a != b
    return _pair_frame(np.minimum(a, b)[keep], np.maximum(a, b)[keep])


def _relabelled_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Labels (node, label, new) after a round: the label's new label, where it has one."""
    label = frame["label"].to_numpy(dtype=_U64).copy()
    new = frame["new"].astype("UInt64")  # nullable: 64-bit keys, never floats
    has = new.notna().to_numpy()
    label[has] = new[has].to_numpy(dtype=_U64)
    return _label_frame(frame["node"].to_numpy(dtype=_U64), label)
