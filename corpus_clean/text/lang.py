"""Language of an article's text, as an ISO 639-1 code (py3langid: deterministic, model in the package).

py3langid reads a text by walking a byte automaton in a Python loop, one step per
byte: about 0.2 ms for the 200 characters read of each article, a tenth of the
segment pass. `detect_languages` walks the automaton for many texts at once, one
numpy step per byte position over all of them, then scores each text with
py3langid's own scoring, so its answers are py3langid's, bit for bit (a test holds
them equal); where py3langid's internals are not the ones this was written against,
it falls back to calling `py3langid.classify` text by text.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: Shorter texts say too little about their language to name it.
MIN_CHARS = 20
#: The language is read off the first characters only: they tell it as well for news
#: prose, and detection costs time in proportion to the length.
SAMPLE_CHARS = 200
#: Texts walked through the automaton together (bounds its grids to a few MB).
BATCH_TEXTS = 1024


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    return detect_languages([text])[0]


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """`detect_language` of each text, computed together (see the module docstring)."""
    out: list[str | None] = [None] * len(texts)
    wanted = [i for i, text in enumerate(texts) if len(text) >= MIN_CHARS]
    if not wanted:
        return out
    model = _model()
    samples = [texts[i][:SAMPLE_CHARS] for i in wanted]
    if model is None:
        import py3langid

        codes = [py3langid.classify(sample)[0] for sample in samples]
    else:
        # in batches: the automaton's grid holds a byte and a feature a step per text
        codes = [
            code
            for lo in range(0, len(samples), BATCH_TEXTS)
            for code in model.classify_all(samples[lo : lo + BATCH_TEXTS])
        ]
    for i, code in zip(wanted, codes):
        out[i] = None if code == "zxx" else code  # zxx: "no linguistic content"
    return out


def load_model() -> None:
    """Load the language model now. Called before worker processes are forked, so that
    they share the parent's copy of its 70 MB instead of each loading its own."""
    detect_language("a few words to load the model with")


class _BatchModel:
    """py3langid's identifier, with its automaton as numpy arrays."""

    def __init__(self, identifier) -> None:
        self.identifier = identifier
        moves = identifier.tk_nextmove
        self.next_move = np.frombuffer(moves, dtype=np.dtype(f"{moves.typecode}"))
        self.row_base = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int32)  # state -> feature, or -1
        self.floor = float(np.finfo(np.float32).min)  # py3langid's score of a featureless text

    def classify_all(self, samples: Sequence[str]) -> list[str]:
        ident = self.identifier
        encoded = [ident._encode(sample) for sample in samples]
        keys, counts, bounds = _first_visits(self._walk(encoded))
        codes = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if hi > lo:
                # py3langid's `_sparse_score`, on arrays instead of a Counter
                scores = np.log1p(counts[lo:hi].astype(np.float32)) @ ident.nb_ptc[keys[lo:hi]] + ident.nb_pc
            else:
                scores = np.full(len(ident.nb_classes), self.floor, dtype=np.float32)
            for i, j in ident._alias_pairs:  # as py3langid folds aliased labels (raw scores)
                scores[i] = max(scores[i], scores[j])
                scores[j] = self.floor
            codes.append(ident.nb_classes[int(scores.argmax())])
        return codes

    def _walk(self, encoded: list[bytes]) -> list[np.ndarray]:
        """The features each text's bytes visit, in order: the automaton run on all texts
        in step, longest first, so the texts still running are always a prefix."""
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")
        longest = int(lengths.max()) if len(lengths) else 0
        # byte t of every text in one contiguous row: each step reads one row
        grid = np.zeros((longest, len(encoded)), dtype=np.uint8)
        for column, i in enumerate(order.tolist()):
            grid[: lengths[i], column] = np.frombuffer(encoded[i], dtype=np.uint8)
        # how many texts are longer than t, for each step t
        running = len(order) - np.searchsorted(lengths[order][::-1], np.arange(longest), side="right")
        visited = np.full((longest, len(encoded)), -1, dtype=np.int32)
        state = np.zeros(len(encoded), dtype=np.int64)
        for t in range(longest):
            k = int(running[t])
            state[:k] = self.next_move[self.row_base[state[:k]] + grid[t, :k]]
            visited[t, :k] = self.output[state[:k]]
        visited = visited.T.copy()  # one text a row again
        out: list[np.ndarray] = [np.empty(0, dtype=np.int32)] * len(encoded)
        for row, i in enumerate(order.tolist()):
            feats = visited[row, : lengths[i]]
            out[i] = feats[feats >= 0]
        return out


def _first_visits(features: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The distinct features of each text in the order it first visits them, as
    py3langid's Counter has them (so that the float sums of the score add up in its
    order), and how often: (features, counts, bounds), text i's at bounds[i]:bounds[i+1].
    For all texts at once: a sort per text cost more than the scoring."""
    lengths = np.fromiter(map(len, features), dtype=np.int64, count=len(features))
    flat = np.concatenate(features).astype(np.int64) if len(features) else np.empty(0, np.int64)
    text = np.repeat(np.arange(len(features), dtype=np.int64), lengths)
    # (text, feature) as one number; a stable sort keeps each run's first visit first
    pair = text * (int(flat.max()) + 1 if len(flat) else 1) + flat
    by_pair = np.argsort(pair, kind="stable")
    starts = np.flatnonzero(np.diff(pair[by_pair], prepend=-1))
    counts = np.diff(starts, append=len(by_pair))
    first = by_pair[starts]  # where each (text, feature) is first visited: grouped by text
    order = np.argsort(first, kind="stable")
    runs = np.bincount(text[first], minlength=len(features))
    bounds = [0, *np.cumsum(runs).tolist()]
    return flat[first[order]].astype(np.int32), counts[order], bounds


@lru_cache(maxsize=1)
def _model() -> _BatchModel | None:
    import py3langid  # imported here: loading its model costs half a second

    identifier = py3langid.langid._get_identifier()
    needed = ("tk_nextmove", "_rowbase", "tk_output", "_encode", "_alias_pairs", "nb_ptc", "nb_pc", "nb_classes")
    if getattr(identifier, "_norm_probs", True) or not all(hasattr(identifier, name) for name in needed):
        return None  # another py3langid than this was written for: its own classify, text by text
    if not isinstance(identifier.tk_nextmove, array):
        return None
    return _BatchModel(identifier)
