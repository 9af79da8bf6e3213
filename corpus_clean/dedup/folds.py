"""The three ways `ArticleMerger` folds one group of copies into another's article,
each a method of `GroupFolding` (which the merger is):

- `_fold_contained`: a body that is a contiguous run of a longer body (a teaser showing
  an article's first paragraphs) goes with the longer one;
- `_fold_teaser_runs`: a repeated block that is several articles' teasers one after the
  other goes with the first of them, its pages sources of the others as well;
- `_fold_lead_sentences`: a one-paragraph body that is the literal start of an article's
  first paragraph (a teaser showing its first sentence) goes with that article.
"""

from __future__ import annotations

import bisect

import numpy as np

from ..dedup.components import flatten
from ..dedup.merged import _Merged, _numbers, _ranges
from ..dedup.sorted_sets import run_starts

#: A teaser is folded into an article whose first paragraph starts with the teaser's
#: text only if that text is at least this long (shorter starts say too little).
_LEAD_PREFIX_CHARS = 40
#: A block of teasers is cut into runs against at most this many articles opening with
#: each of its paragraphs (the earliest): a paragraph opening thousands of articles
#: would otherwise be compared with each, for every block holding it.
_RUN_HOSTS = 64


def _contains(longer: tuple[int, ...], shorter: tuple[int, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


class GroupFolding:
    """The foldings of `ArticleMerger` (see the module docstring), over its copies' keys and spools."""

    def _fold_contained(self, m: _Merged) -> None:
        """Point each group whose body is contained in another group's at the longest such
        group (then the earliest): its copies are copies of that article.

        Only a body of several paragraphs can contain another, and only at the first
        cluster of some group's body is it looked for: the pairs looked at are (group,
        a longer group holding its first cluster), made with numpy; for a one-paragraph
        body, holding its cluster is containing it, the others are checked in Python.
        An article's own copy is never folded into a longer block that is only ever
        repeated (the article followed by a site's footer, on another site's pages)."""
        n_groups = len(m.first_copy)
        flat = _numbers(self._keys)
        lengths, first_cluster = m.length, flat[self._key_start[m.first_copy]]
        several = np.flatnonzero(lengths > 1)
        holder = np.repeat(several, lengths[several])
        at = np.repeat(self._key_start[m.first_copy[several]], lengths[several])
        cluster = flat[at + _ranges(lengths[several])]
        keep = np.isin(cluster, first_cluster)
        holder, cluster = holder[keep], cluster[keep]
        order = np.lexsort((m.rank[holder], cluster))
        holder, cluster = holder[order], cluster[order]
        once = run_starts(cluster, holder)  # a cluster twice in one body holds once
        holder, cluster = holder[once], cluster[once]
        lo = np.searchsorted(cluster, first_cluster, "left")
        count = np.searchsorted(cluster, first_cluster, "right") - lo
        inner = np.repeat(np.arange(n_groups), count)
        outer = holder[np.repeat(lo, count) + _ranges(count)]
        fits = (lengths[outer] > lengths[inner]) & (m.repeated[inner] | ~m.repeated[outer])
        inner, outer = inner[fits], outer[fits]
        longer_inner = np.flatnonzero(lengths[inner] > 1)
        if len(longer_inner):
            keys = self._key
            first_copy = m.first_copy
            contained = [
                _contains(keys(int(first_copy[outer[p]])), keys(int(first_copy[inner[p]])))
                for p in longer_inner.tolist()
            ]
            fits = np.ones(len(inner), dtype=bool)
            fits[longer_inner] = contained
            inner, outer = inner[fits], outer[fits]
        best = np.lexsort((m.rank[outer], -lengths[outer], inner))
        best = best[run_starts(inner[best])]
        m.parent[inner[best]] = outer[best]
        flatten(m.parent)

    def _fold_teaser_runs(self, m: _Merged, roots: np.ndarray) -> np.ndarray:
        """Fold a block of several articles' teasers, one after the other, into the article
        of the first (its pages are sources of the others too); give the groups (of
        `roots`, in order) not folded.

        A "related posts" list whose dated teaser is followed by an undated one, with one
        blank line between them, reads as one block, contained in neither article. Such
        a block is repeated on every page it is on, and its body, cut from the start into
        the longest runs that open some article's own copy (a group with a copy that is
        not repeated), is all such runs, two or more. A run's host is the group it opens
        the longest run of (then the earliest), among the first `_RUN_HOSTS` own copies,
        by first appearance, opening with that paragraph."""
        flat = _numbers(self._keys)
        candidates = roots[m.repeated[roots] & (m.length[roots] > 1)]
        own = np.flatnonzero(~m.repeated)
        if not len(candidates) or not len(own):
            return roots
        opening = flat[self._key_start[m.first_copy[own]]]
        order = np.lexsort((m.rank[own], opening))
        own, opening = own[order], opening[order]
        keys, first_copy, parent = self._key, m.first_copy, m.parent
        folded: list[int] = []
        extra: list[tuple[int, int]] = []
        for g in candidates.tolist():
            key = keys(int(first_copy[g]))
            at, hosts, lengths = 0, [], []
            while at < len(key):
                lo = int(np.searchsorted(opening, key[at], "left"))
                hi = min(int(np.searchsorted(opening, key[at], "right")), lo + _RUN_HOSTS)
                best, best_host = 0, -1
                for h in own[lo:hi].tolist():
                    host_key = keys(int(first_copy[h]))
                    n = 1
                    while n < len(host_key) and at + n < len(key) and host_key[n] == key[at + n]:
                        n += 1
                    if n > best:  # in order of first appearance: ties go to the earliest
                        best, best_host = n, h
                if not best:
                    break
                hosts.append(int(parent[best_host]))
                lengths.append(best)
                at += best
            if at < len(key) or len(hosts) < 2:
                continue
            if not folded:  # what each group belonged to before: a block's copies are its groups'
                m.block_of = parent.copy()
            parent[g] = hosts[0]
            folded.append(g)
            m.block_runs[g] = list(zip(lengths, hosts))
            extra.extend((g, h) for h in dict.fromkeys(hosts[1:]) if h != hosts[0])
        m.extra_sources = extra
        if not folded:
            return roots
        flatten(parent)  # what a block had taken in goes with it
        return roots[~np.isin(roots, np.asarray(folded, dtype=np.int64))]

    def _fold_lead_sentences(self, m: _Merged, roots: np.ndarray) -> np.ndarray:
        """Fold a one-paragraph group whose text is the literal start of another group's
        first paragraph (a teaser showing only an article's first sentence) into it; give
        the groups (of `roots`, in order of first appearance) not folded.

        Such a pair starts with the same `_LEAD_PREFIX_CHARS` characters, so groups are
        bucketed by a hash of those, and only buckets of several groups are looked at,
        one at a time; in a bucket, only the first paragraphs at least as long as its
        shortest teaser's are read again (the lengths were noted as the texts came): the
        first paragraphs of every group at once would be most of a gigabyte at 1M pages.
        They are sorted, so that the hosts of a teaser are found by a binary search and
        not by comparing it with every other group of its bucket. A folding only involves
        groups of one bucket, so the outcome is the one of going through all groups in
        order. A teaser goes to the host appearing first (counting what it took in)."""
        handles = m.text[roots]
        lead_chars = np.asarray(_numbers(self._lead_chars))[handles]
        prefix_hash = _numbers(self._lead)[handles]
        where = np.flatnonzero(lead_chars >= _LEAD_PREFIX_CHARS)
        order = where[np.argsort(prefix_hash[where], kind="stable")]  # buckets, each in roots' order
        hashes = prefix_hash[order]
        starts = np.flatnonzero(run_starts(hashes))
        ends = np.append(starts[1:], len(order))
        first = m.union_first  # grows as teasers are taken in
        folded: set[int] = set()
        for lo, hi in zip(starts.tolist(), ends.tolist()):
            if hi - lo < 2:
                continue
            at = order[lo:hi]
            members = roots[at].tolist()
            lengths = lead_chars[at].tolist()
            one_paragraph = (m.length[roots[at]] == 1).tolist()
            longest = max(lengths)
            if not any(one and n < longest for one, n in zip(one_paragraph, lengths)):
                continue  # no teaser here with a longer first paragraph to fold into
            # the teasers, and the groups long enough to host the shortest of them
            teasers = [k for k, (one, n) in enumerate(zip(one_paragraph, lengths)) if one and n < longest]
            shortest = min(lengths[k] for k in teasers)
            read = [k for k, n in enumerate(lengths) if n >= shortest]
            handles = m.text[np.asarray(members)[read]].tolist()
            texts = dict(zip(read, (self._first_paragraph(h) for h in handles)))
            # the bucket's first paragraphs in sorted order: those starting with a teaser's
            # text are the run from where the teaser's text would go (a bucket of thousands
            # of one-paragraph items opening alike, compared pairwise, took minutes)
            by_text = sorted(read, key=texts.__getitem__)
            sorted_texts = [texts[k] for k in by_text]
            for k in teasers:
                g, text = members[k], texts[k]
                hosts = []
                place = bisect.bisect_left(sorted_texts, text)
                while place < len(sorted_texts) and sorted_texts[place].startswith(text):
                    j = by_text[place]
                    if j != k and members[j] not in folded and lengths[j] > lengths[k]:
                        hosts.append((first[members[j]], j))
                    place += 1
                if hosts:
                    host = members[min(hosts)[1]]
                    m.parent[g] = host
                    first[host] = min(first[host], first[g])
                    folded.add(g)
        if not folded:
            return roots
        return roots[~np.isin(roots, np.fromiter(folded, dtype=np.int64, count=len(folded)))]

    def _first_paragraph(self, handle: int) -> str:
        return self.spool.get(handle).split("\n\n", 1)[0]
