"""Stage 6: merge the copies of each article into one `Article`.

Copies are the same article when their body paragraphs fall in the same clusters,
in the same order (a teaser shown undated on four pages and dated on a fifth). A
copy whose body is a contiguous run of a longer copy's body (a teaser showing an
article's first paragraphs) is merged into that longer article.

Text that is repeated on every page it appears on, yet has no title and no date on
any of them, is the site talking, not an article ("Subscribe to our newsletter...",
cookie and legal notices): a teaser shows a title or a date somewhere. Such groups are
dropped as "repeated-boilerplate".

Which copy wins is decided by the copies themselves, never by the order they were
met in: the text is the variant most copies show (ties: the one on the earliest
page of the sorted input), the title likewise, and the date is the one from the most
trustworthy place (a date line, then a dated title, then the opening words of the
body), most common among those, then earliest.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .normalise import normalise_for_dedup
from .records import Article, ArticleCopy, Dropped

REPEATED_BOILERPLATE = "repeated-boilerplate"


@dataclass(slots=True)
class DedupeStats:
    copies: int = 0
    articles: int = 0
    merged_copies: int = 0  #: copies folded into an article emitted from another copy
    boilerplate_groups: int = 0  #: repeated, untitled, undated groups dropped
    dropped: list[Dropped] = field(default_factory=list)


def article_id(text: str) -> str:
    """Stable id: the first 16 hex digits of BLAKE2b over the normalised text."""
    return hashlib.blake2b(normalise_for_dedup(text).encode("utf-8"), digest_size=8).hexdigest()


def body_text(copy: ArticleCopy) -> str:
    return "\n\n".join(p.text for p in copy.body)


def _most_common(values: Sequence, order: Sequence[tuple[int, int]]):
    """The most frequent value; ties go to the value whose first copy comes first."""
    counts = Counter(values)
    first_seen: dict = {}
    for value, position in zip(values, order):
        first_seen.setdefault(value, position)
        first_seen[value] = min(first_seen[value], position)
    return min(counts, key=lambda v: (-counts[v], first_seen[v]))


def _contains(longer: tuple[int, ...], shorter: tuple[int, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def group_copies(copies: Iterable[ArticleCopy]) -> list[tuple[tuple[int, ...], list[ArticleCopy]]]:
    """(body key, copies) per article, in order of each article's first copy."""
    by_key: dict[tuple[int, ...], list[ArticleCopy]] = {}
    for copy in sorted(copies, key=lambda c: (c.page, c.start)):
        by_key.setdefault(copy.key, []).append(copy)
    # fold each group into the longest group that contains its body (then the earliest)
    rank = {key: i for i, key in enumerate(by_key)}
    holders: dict[int, list[tuple[int, ...]]] = {}
    for key in by_key:
        for cluster in set(key):
            holders.setdefault(cluster, []).append(key)
    target: dict[tuple[int, ...], tuple[int, ...]] = {}
    for key in by_key:
        containers = [k for k in holders[key[0]] if len(k) > len(key) and _contains(k, key)]
        if containers:
            target[key] = max(containers, key=lambda k: (len(k), -rank[k]))
    groups: dict[tuple[int, ...], list[ArticleCopy]] = {}
    for key, members in by_key.items():
        root = key
        while root in target:
            root = target[root]
        groups.setdefault(root, []).extend(members)
    return sorted(groups.items(), key=lambda kv: min((c.page, c.start) for c in kv[1]))


def merge_group(
    copies: Sequence[ArticleCopy],
    key: tuple[int, ...],
    page_paths: Sequence[str],
    detect_language: Callable[[str], str | None] | None,
) -> Article:
    """One Article from the copies of one article (see the module docstring for who wins)."""
    order = [(c.page, c.start) for c in copies]
    full = [(c, o) for c, o in zip(copies, order) if c.key == key]
    text = _most_common([body_text(c) for c, _ in full], [o for _, o in full])

    titled = [(c.title, o) for c, o in zip(copies, order) if c.title]
    title = _most_common([t for t, _ in titled], [o for _, o in titled]) if titled else None

    dated = [(c, o) for c, o in zip(copies, order) if c.date is not None]
    date = None
    if dated:
        best = max(c.date_source for c, _ in dated)
        top = [(c.date, o) for c, o in dated if c.date_source == best]
        date = _most_common([d for d, _ in top], [o for _, o in top]).isoformat()

    pages = sorted({c.page for c in copies})
    sources = tuple(page_paths[p] for p in pages)
    return Article(
        id=article_id(text),
        title=title,
        date=date,
        text=text,
        source=sources[0],
        sources=sources,
        lang=detect_language(text) if detect_language else None,
        n_chars=len(text),
    )


def dedupe_articles(
    copies: Iterable[ArticleCopy],
    page_paths: Sequence[str],
    detect_language: Callable[[str], str | None] | None = None,
    stats: DedupeStats | None = None,
) -> list[Article]:
    """The unique articles, in order of first appearance in the input."""
    stats = stats if stats is not None else DedupeStats()
    # groups whose chosen texts normalise alike are one article, whatever their keys
    by_id: dict[str, tuple[tuple[int, ...], list[ArticleCopy]]] = {}
    for key, group in group_copies(copies):
        stats.copies += len(group)
        full = [c for c in group if c.key == key]
        text = _most_common([body_text(c) for c in full], [(c.page, c.start) for c in full])
        aid = article_id(text)
        if aid in by_id:
            by_id[aid][1].extend(group)
        else:
            by_id[aid] = (key, list(group))
    articles = []
    emitted_copies = 0
    for key, group in by_id.values():
        if all(c.repeated_only and c.title is None and c.date is None for c in group):
            stats.boilerplate_groups += 1
            stats.dropped.extend(
                Dropped(p.page, p.start, p.end, REPEATED_BOILERPLATE, p.n_chars) for c in group for p in c.body
            )
            continue
        articles.append(merge_group(group, key, page_paths, detect_language))
        emitted_copies += len(group)
    stats.articles = len(articles)
    stats.merged_copies = emitted_copies - len(articles)
    return articles
