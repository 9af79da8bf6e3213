"""What became of every line of every page: kept in an article, or removed and why.

The ordinary run only counts what it drops. When a user asks to see it (`--removed`,
`--report`, `--fail-if`, `explain`), the run records it: the segmenting workers send
every dropped paragraph with its text (spooled to a temporary file as it arrives, in
page order, so memory does not grow with the corpus), and the merger remembers where
every article copy was, so that once the copies are merged it can say which copy an
article was written from and which copies only duplicate it.

`Ledger.blocks()` then replays one `Block` per paragraph line of every page read, in
input order: the union of their spans covers every line of every page that holds
anything but white space (an exact copy of another page is one block).
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..dedup.clusters import ClusterTable
from ..dedup.merge import KEPT, ArticleMerger, CopyFate
from ..reasons import DUPLICATE_PAGE
from ..records import Dropped
from ..text.normalise import normalise_for_dedup

#: Comparisons of removed texts with their clusters remembered at once (bounds memory).
_MAX_COMPARED = 100_000


@dataclass(frozen=True, slots=True)
class Block:
    """One line of a page (or a whole page that is an exact copy) and its fate."""

    page: int
    start: int  #: character span in the decoded page
    end: int
    fate: str  #: "kept", or the reason it was removed ("repeated-chrome", "duplicate-article", ...)
    role: str  #: "title" or "text" (lines of article copies), "line" (others), "page" (a copied page)
    text: str | None  #: the displayed text (None for a whole copied page)
    cluster: int | None  #: its near-duplicate cluster
    n_pages: int  #: pages the cluster is on (1: unique to this page)
    article: str | None  #: id of the article it is kept in, or duplicates
    matched_page: int | None  #: another page holding the same text (the kept copy, for duplicates)
    similarity: float | None  #: of its text to the matched text (normalised; 1.0: identical)

    @property
    def n_chars(self) -> int:
        return self.end - self.start

    def to_dict(self, page_paths: Sequence[str]) -> dict:
        """A line of the `--removed` sidecar."""
        return {
            "source": page_paths[self.page],
            "start": self.start,
            "end": self.end,
            "reason": self.fate,
            "role": self.role,
            "text": self.text,
            "cluster": self.cluster,
            "n_pages": self.n_pages,
            "article": self.article,
            "matched_source": page_paths[self.matched_page] if self.matched_page is not None else None,
            "similarity": self.similarity,
        }


@dataclass(slots=True)
class _PageCopy:
    """An exact copy of another page: it is a source, not content."""

    page: int
    n_chars: int
    original: int


@dataclass
class Ledger:
    """Collects what the run did with every line; `blocks()` replays it in input order."""

    page_paths: Sequence[str] = ()  #: display path of every input file, by index
    locations: Sequence[Path] = ()  #: where each input file was read from, by index
    read_pages: list[int] = field(default_factory=list)  #: the files read as pages, in order
    copied_pages: list[_PageCopy] = field(default_factory=list)
    #: displayed text of the most repeated clusters, for reports
    samples: dict[int, str] = field(default_factory=dict)
    table: ClusterTable = field(default_factory=ClusterTable)
    merger: ArticleMerger | None = None

    def __post_init__(self) -> None:
        self._compared: dict[tuple[int, str], tuple[int | None, float]] = {}
        self._spool = tempfile.TemporaryFile(prefix="corpus-clean-removed-")  # noqa: SIM115 (closed by close())
        self._chunks = 0

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._spool.close()

    def add_removals(self, removals: list[Dropped]) -> None:
        """Dropped paragraphs of consecutive pages, in page order (as the workers return them)."""
        if removals:
            pickle.dump(removals, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunks += 1

    def add_sample(self, cluster: int, text: str) -> None:
        self.samples.setdefault(cluster, text)

    def add_copied_page(self, page: int, n_chars: int, original: int) -> None:
        self.copied_pages.append(_PageCopy(page, n_chars, original))

    # --- replay ------------------------------------------------------------------

    def blocks(self) -> Iterator[Block]:
        """Every recorded block, ordered by page, then position on the page."""
        streams = [self._removed_blocks(), self._copy_blocks(), self._copied_page_blocks()]
        return heapq.merge(*streams, key=lambda b: (b.page, b.start))

    def _removed_blocks(self) -> Iterator[Block]:
        self._spool.seek(0)
        for _ in range(self._chunks):
            for d in pickle.load(self._spool):
                yield self._removed_block(d)

    def _removed_block(self, d: Dropped) -> Block:
        matched = similarity = None
        if d.n_pages >= 2:
            # chrome repeats: each text is normalised and compared once per cluster, not once per page
            key = (d.cluster, d.text)
            found = self._compared.get(key)
            if found is None:
                if len(self._compared) >= _MAX_COMPARED:
                    self._compared.clear()
                found = self._compared[key] = self.table.compare(d.cluster, normalise_for_dedup(d.text))
            matched, similarity = found
            if matched is None:
                matched = self.table.other_page(d.cluster, d.page)
        return Block(d.page, d.start, d.end, d.reason, "line", d.text, d.cluster, d.n_pages, None, matched, similarity)

    def _copy_blocks(self) -> Iterator[Block]:
        if self.merger is None:
            return
        fates = self.merger.copy_fates()
        for _, same_page in itertools.groupby(fates, key=lambda f: f.page):
            blocks = [b for fate in same_page for b in self._blocks_of_copy(fate)]
            yield from sorted(blocks, key=lambda b: b.start)

    def _blocks_of_copy(self, fate: CopyFate) -> Iterator[Block]:
        n_pages = self.table.n_pages
        if fate.title_span is not None:
            start, end = fate.title_span
            yield Block(
                fate.page,
                start,
                end,
                fate.fate,
                "title",
                fate.title,
                None,
                1,
                fate.article,
                fate.matched_page,
                fate.similarity,
            )
        others = {i: (article, matched) for i, article, matched in fate.others}
        for i, ((start, end), text, cluster) in enumerate(zip(fate.spans, fate.paragraphs, fate.key)):
            pages = int(n_pages[cluster]) if n_pages is not None and cluster < len(n_pages) else 1
            article, matched, similarity = fate.article, fate.matched_page, fate.similarity
            if i in others:  # in a block of teasers: another article's (the copy's similarity is not its)
                (article, matched), similarity = others[i], None
            if matched is None and fate.fate != KEPT and pages >= 2:
                matched = self.table.other_page(cluster, fate.page)  # boilerplate: where else it is
            yield Block(fate.page, start, end, fate.fate, "text", text, cluster, pages, article, matched, similarity)

    def _copied_page_blocks(self) -> Iterator[Block]:
        for c in sorted(self.copied_pages, key=lambda c: c.page):
            yield Block(c.page, 0, c.n_chars, DUPLICATE_PAGE, "page", None, None, 1, None, c.original, 1.0)
