"""The steps of a run against an incremental index (`index.CorpusIndex`), around the plan's.

    earlier pages   the index's pages join this run's, numbered first     (`with_earlier_pages`)
    cluster         the index's texts come with their rows and clusters   (`cluster_with_index`)
    record          the run staged in the index; what it emitted left out (`record_run`)

So the articles are those of one run over every page the index has seen and this run's
(its pages first, in their order). The local engine runs these; Dask has no index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import Config
from ..dedup.clusters import ClusterArrays, ClusterStats, ClusterTable, cluster_corpus
from ..dedup.fingerprints import exact_key
from ..dedup.merge import DedupeStats
from ..dedup.sites import group_name
from ..dedup.sorted_sets import unique, unique_first
from ..engine.chunk_work import PageInfo
from ..engine.index import CorpusIndex, Known, contains
from ..io.read import InputFile
from ..records import Article, PageMeta

if TYPE_CHECKING:
    from ..engine.plan import KeptPages

#: The key of a paragraph whose normalised text is empty (it matches nothing).
_EMPTY_KEY = exact_key("")


@dataclass
class Pages:
    """The pages read, with one entry per paragraph of theirs in `keys` and `empty`."""

    files: list[InputFile]  #: every input, by page index
    infos: list[PageInfo]  #: the pages read, in input order
    keys: np.ndarray  #: per paragraph: its text's key
    empty: np.ndarray  #: ... whether its normalised text is empty


@dataclass
class IndexRun:
    """What the index steps of a run share."""

    index: CorpusIndex
    known: Known
    new_texts: dict[int, str]  #: this run's normalised texts the index does not hold
    new: Pages  #: this run's pages, numbered as in its own input
    first: int  #: the number of this run's first page among every page (the index's first)
    group_names: list[str]  #: every page's group (see `sites.group_name`)


@dataclass
class Combined:
    """The fingerprint rows of the index's texts and this run's, as `cluster_corpus` takes them."""

    arrays: tuple  #: row keys, rows
    linked: np.ndarray  #: key pairs already known to share a cluster
    settled_rows: np.ndarray  #: rows of texts the index already clustered


def with_earlier_pages(
    index: CorpusIndex, known: Known, new: Pages, new_texts: dict[int, str], folder: str, config: Config
) -> tuple[Pages, IndexRun]:
    """Every page the index has seen, then this run's (renumbered after them)."""
    earlier = _earlier_pages(index, known, folder)
    first = len(known.page_paths)
    pages = Pages(
        earlier.files + new.files,
        earlier.infos + [replace(info, index=info.index + first) for info in new.infos],
        np.concatenate([earlier.keys, new.keys]),
        np.concatenate([earlier.empty, new.empty]),
    )
    groups = known.page_groups + [group_name(f, config.group_by) for f in new.files]
    return pages, IndexRun(index, known, new_texts, new, first, groups)


def _earlier_pages(index: CorpusIndex, known: Known, folder: str) -> Pages:
    """The index's pages, numbered from 0 in the order they were first seen, each written
    to `folder` (an exact copy of an earlier one is not: it is that page's copy), with
    their paragraphs' keys from the index."""
    where = os.path.join(folder, "index-pages")
    os.mkdir(where)
    locations: dict[int, Path] = {}
    for slot, content in index.page_contents():
        location = locations[slot] = Path(where, f"{slot}.page")
        location.write_bytes(content)
    files, infos = [], []
    pages = zip(known.page_paths, known.paragraph_keys, known.page_digests, known.page_given)
    for slot, (path, keys, digest, given) in enumerate(pages):
        files.append(with_given(InputFile(path, locations.get(slot, Path(where, "copy"))), given))
        infos.append(PageInfo(slot, path, len(keys), "", 0, digest))
    keys = np.concatenate(known.paragraph_keys) if known.paragraph_keys else np.empty(0, dtype=np.uint64)
    return Pages(files, infos, keys, keys == _EMPTY_KEY)


def cluster_with_index(
    run: IndexRun,
    kept: KeptPages,
    row_keys: np.ndarray,
    rows: np.ndarray,
    config: Config,
    stats: ClusterStats,
    table: ClusterTable | None,
    page_groups: np.ndarray,
) -> tuple[ClusterArrays, Combined]:
    """`cluster_corpus` over the index's texts and this run's: the index's come with their
    fingerprint rows and their clusters, settled."""
    known = run.known
    combined = _with_known(row_keys, rows, known)
    arrays = cluster_corpus(
        kept.keys,
        kept.empty,
        kept.pages,
        *combined.arrays,
        lambda ks: {**run.index.texts(ks[contains(known.text_keys, ks)]), **run.new_texts},
        config,
        stats,
        table,
        page_groups=page_groups,
        linked=combined.linked,
        settled_rows=combined.settled_rows,
    )
    return arrays, combined


def _with_known(row_keys: np.ndarray, rows: np.ndarray, known: Known) -> Combined:
    merged_keys = np.concatenate([known.row_keys, row_keys])
    merged_rows = np.concatenate([known.rows, rows]) if len(known.rows) else rows
    unique_keys, first = unique_first(merged_keys)  # a known text keeps its stored row
    settled = contains(known.text_keys, unique_keys)
    # texts of one stored cluster, linked in a chain (sorted by label, then key)
    order = np.lexsort((known.text_keys, known.labels))
    same = known.labels[order][1:] == known.labels[order][:-1]
    linked = np.stack([known.text_keys[order][:-1][same], known.text_keys[order][1:][same]], axis=1)
    return Combined((unique_keys, merged_rows[first]), linked, settled)


def record_run(
    run: IndexRun,
    combined: Combined,
    arrays: ClusterArrays,
    merged: Iterable[tuple[tuple[int, int], Article]],
    paths: list[str],
    all_keys: np.ndarray,
    all_empty: np.ndarray,
    dedupe: DedupeStats,
) -> tuple[list[tuple[tuple[int, int], Article]], set[str]]:
    """Stage the run in the index; return the articles and the ids of those it had emitted."""
    index, known = run.index, run.known
    # a page read again under its name is the page the index has: one source
    merged = [
        (position, a if len(set(a.sources)) == len(a.sources) else replace(a, sources=tuple(dict.fromkeys(a.sources))))
        for position, a in merged
    ]
    # text repeated here without a title or a date may be an article an earlier run
    # emitted (a teaser whose dated copy was on a page since pruned): it adds sources to it
    ids = [a.id for _, a in merged]
    earlier = index.known_articles(ids + [aid for aid, _ in dedupe.boilerplate])
    seen_again = [(aid, "", [paths[p] for p in on], False) for aid, on in dedupe.boilerplate if aid in earlier]
    distinct, label_of = _labels(arrays, all_keys, all_empty)
    is_known = contains(known.text_keys, distinct)
    stored = dict(zip(known.text_keys.tolist(), known.labels.tolist()))
    relabelled = {k: v for k, v in zip(distinct[is_known].tolist(), label_of[is_known].tolist()) if stored.get(k) != v}
    index.record(
        _pages_to_store(run),
        _texts_to_store(run, combined, distinct[~is_known], label_of[~is_known]),
        relabelled,
        [(a.id, a.source, a.sources, a.id not in earlier) for _, a in merged] + seen_again,
    )
    return merged, earlier.intersection(ids)


def _labels(arrays: ClusterArrays, all_keys: np.ndarray, all_empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(every distinct text's key, its cluster label: the smallest key of its cluster)."""
    distinct = unique(all_keys[~all_empty])
    label_of = np.empty(len(distinct), dtype=np.uint64)
    real = arrays.cluster < len(distinct)
    label_of[np.searchsorted(distinct, all_keys[real])] = distinct[arrays.cluster[real]]
    return distinct, label_of


def _texts_to_store(run: IndexRun, combined: Combined, new_keys: np.ndarray, labels: np.ndarray) -> dict:
    """key -> (label, fingerprint row, text) of each text new to the index."""
    row_keys, rows = combined.arrays
    row_at = {k: i for i, k in enumerate(row_keys.tolist())}
    return {
        k: (label, rows[row_at[k]].tobytes() if k in row_at else None, run.new_texts[k])
        for k, label in zip(new_keys.tolist(), labels.tolist())
    }


def _pages_to_store(run: IndexRun) -> list:
    """Every page read, the exact copies of a page before it too (a source of its articles)."""
    pages = []
    digests = set(run.known.digests)
    at = 0
    for info in run.new.infos:
        keys = run.new.keys[at : at + info.n_paragraphs]
        at += info.n_paragraphs
        copy = info.digest in digests
        digests.add(info.digest)
        item = run.new.files[info.index]
        content = None if copy else item.location.read_bytes()
        pages.append((info.path, run.group_names[run.first + info.index], info.digest, keys, content, given_json(item)))
    return pages


#: What an input gives a page beside its text, kept in the index: the page is read
#: again from it in later runs, and must give its articles what it gave them first.
_GIVEN = ("url", "title", "date", "input_id", "fields")


def given_json(item: InputFile) -> str | None:
    """What the input gave `item` beside its text (a JSONL record's url, date, id and
    fields; a WARC record's URI; an HTML page's headline and date), as a JSON object's
    text; None when it gave nothing."""
    given: dict = {name: getattr(item, name) for name in _GIVEN if getattr(item, name) is not None}
    if item.meta is not None:
        meta = {f.name: getattr(item.meta, f.name) for f in fields(PageMeta)}
        given["meta"] = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in meta.items()}
    return json.dumps(given, ensure_ascii=False, sort_keys=True) if given else None


def with_given(item: InputFile, given: str | None) -> InputFile:
    """`item` with what `given_json` kept of its input."""
    if given is None:
        return item
    values = json.loads(given)
    meta = values.pop("meta", None)
    if meta is not None:
        values["meta"] = PageMeta(**{k: frozenset(v) if isinstance(v, list) else v for k, v in meta.items()})
    return replace(item, **values)
