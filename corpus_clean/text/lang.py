"""Language of an article's text, as an ISO 639-1 code (py3langid: deterministic, model in the package).

py3langid reads a text by walking a byte automaton in a Python loop, one step per
byte, then scores it with a product of its feature counts by a 100,000-row table. For
many texts at once, `detect_languages` gives the same answers for less:

- the walk: each text is cut into pieces of `PIECE_BYTES`, all walked side by side
  (one numpy step per byte position of a piece), each piece starting a few bytes
  early: the automaton's state depends only on the last few bytes read, and where a
  piece's first state does not follow from the end of the piece before it, that text
  is walked again whole, so the states are the automaton's own;
- the score: the table's rows (float16) are converted to float32 once, when a text
  first needs them, not for every text that uses them, and each text's scores summed
  from them. The sums may add up in another order than py3langid's, so a text's
  language is taken from them only when its best language leads the next by more than
  the rounding of either computation can move the scores (a bound on float32 sums);
  the others, near ties, are scored exactly as py3langid scores them (its Counter's
  order, its product).

So its answers are py3langid's, text by text (a test holds them equal); where
py3langid's internals are not the ones this was written against, it falls back to
calling `py3langid.classify` text by text.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: Shorter texts say too little about their language to name it.
MIN_CHARS = 20
#: The language is read off the first characters only: they tell it as well for news
#: prose, and detection costs time in proportion to the length.
SAMPLE_CHARS = 200
#: Texts detected together (bounds the walk's grids and the sorted (text, feature) pairs).
BATCH_TEXTS = 256
#: Bytes of a text walked in step with the other pieces (see the module docstring).
PIECE_BYTES = 32
#: Bytes walked before a piece: the automaton of py3langid's model is 6 bytes deep, so
#: its state after a byte depends on that byte and the 5 before it at most.
#: Not a condition of the answers: a model where it is not so has texts walked again whole.
WARMUP_BYTES = 5

#: float32's unit roundoff, and how far (in it) numpy's float32 log1p may be from the
#: true value (a test holds numpy to it).
_UNIT_ROUNDOFF = 2.0**-24
_LOG1P_ULPS = 16
#: py3langid's score of a class, and the one here, are each within (k + 17) u M of the
#: true score: k products summed in float32 in any order (at most k roundings on each
#: term), the weights' log1p (16), the prior's addition (1); M the largest sum of the
#: terms' sizes and the prior's. So where the best label leads the next by more than
#: 4 (k + 17) u M, py3langid's best is the same label; this many times that is asked.
_MARGIN = 2.0


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
        # in batches: the walk's grids and the (text, feature) pairs grow with a batch
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
    """py3langid's identifier, with its automaton and table as numpy arrays."""

    def __init__(self, identifier) -> None:
        self.identifier = identifier
        moves = identifier.tk_nextmove
        self.next_move = np.frombuffer(moves, dtype=np.dtype(f"{moves.typecode}"))
        self.row_base = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int32)  # state -> feature, or -1
        self.floor = float(np.finfo(np.float32).min)  # py3langid's score of a featureless text
        self.table = identifier.nb_ptc  # feature -> a score per class (float16)
        self.prior = np.asarray(identifier.nb_pc, dtype=np.float64)
        # the rows of the table texts have used, as float32, in the order first used:
        # the few thousand rows most texts use stay close together (in cache), and only
        # they take memory (most of the table's 100,000 are never used)
        self.slot = np.full(len(self.table), -1, dtype=np.int32)  # feature -> its row in `rows32`
        self.rows32 = np.empty((0, self.table.shape[1]), dtype=np.float32)
        self.used = 0  # rows of `rows32` filled
        self.has_positive = False  # a used row has a score above 0
        self.lock = threading.Lock()
        self.rewalked = 0  # texts whose pieces did not join (walked again whole)
        self.exact = 0  # texts scored as py3langid scores them (near ties, featureless)

    def classify_all(self, samples: Sequence[str]) -> list[str]:
        ident = self.identifier
        encoded = [ident._encode(sample) for sample in samples]
        features, owners = self._walk(encoded, PIECE_BYTES)
        bounds = np.searchsorted(owners, np.arange(len(encoded) + 1))
        codes, sure = self._bounded_codes(features, owners, len(encoded))
        unsure = np.flatnonzero(~sure).tolist()
        if unsure:
            self.exact += len(unsure)
            exact = self._exact_codes([features[bounds[i] : bounds[i + 1]] for i in unsure])
            for i, code in zip(unsure, exact):
                codes[i] = code
        return codes

    def _walk(self, encoded: list[bytes], piece: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The features the texts' bytes visit, in order, and the text of each (texts in
        order): the automaton walked on pieces of `piece` bytes (None: whole texts) side
        by side, each piece's walk begun `WARMUP_BYTES` before it. A text whose pieces
        do not join (a piece's first state is not the step from the state its previous
        piece ends in) is walked again whole."""
        n = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        piece = piece or int(lengths.max())
        warm = WARMUP_BYTES
        data = np.zeros(warm + total + piece, dtype=np.uint8)  # padded: every piece reads a full grid column
        data[warm : warm + total] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        per_text = -(-lengths // piece)
        text = np.repeat(np.arange(n), per_text)  # the text of each piece
        first = np.cumsum(per_text) - per_text  # each text's first piece
        rank = np.arange(len(text)) - first[text]
        start = (np.cumsum(lengths) - lengths)[text] + rank * piece
        size = np.minimum(piece, lengths[text] - rank * piece)
        # byte t of every piece in one contiguous row (the first `warm` rows: bytes before it)
        grid = data[start[None, :] + np.arange(warm + piece)[:, None]]
        moves, rows = self.next_move, self.row_base
        state = np.zeros(len(text), dtype=np.int64)
        for t in range(warm):
            state = moves[rows[state] + grid[t]]
        state[first[per_text > 0]] = 0  # a text's first piece starts where py3langid starts
        states = np.empty((piece, len(text)), dtype=moves.dtype)
        for t in range(piece):
            state = moves[rows[state] + grid[warm + t]]
            states[t] = state
        joins = np.flatnonzero(rank > 0)
        broken = joins[moves[rows[states[-1, joins - 1]] + grid[warm, joins]] != states[0, joins]]
        out = self.output[states.T]  # one piece a row: the texts' bytes in order
        keep = (out >= 0) & (np.arange(piece)[None, :] < size[:, None])
        features = out[keep].astype(np.int64)
        owners = np.broadcast_to(text[:, None], keep.shape)[keep]
        if len(broken):
            again = np.unique(text[broken])
            self.rewalked += len(again)
            redone, redone_owners = self._walk([encoded[i] for i in again.tolist()], None)
            mine = ~np.isin(owners, again)
            features = np.concatenate([features[mine], redone])
            owners = np.concatenate([owners[mine], again[redone_owners]])
            order = np.argsort(owners, kind="stable")  # texts in order, each text's bytes in order
            features, owners = features[order], owners[order]
        return features, owners

    def _bounded_codes(self, features: np.ndarray, owners: np.ndarray, n: int) -> tuple[list[str], np.ndarray]:
        """Each text's language from `_scores`, and whether it is certainly py3langid's:
        its best label leads the next by more than the two computations' errors can
        close (with `_MARGIN`); featureless texts are never certain."""
        ident = self.identifier
        scores, bound = self._scores(features, owners, n)
        for i, j in ident._alias_pairs:  # one label, two columns: the label's score is the higher
            scores[:, i] = np.maximum(scores[:, i], scores[:, j])
            scores[:, j] = -np.inf
        best = scores.argmax(axis=1)
        top = scores[np.arange(n), best]
        scores[np.arange(n), best] = -np.inf
        lead = top - scores.max(axis=1)
        # py3langid's score of each of the two labels, and this one, within `bound`
        sure = (bound > 0) & (lead > 4 * _MARGIN * bound)
        return [ident.nb_classes[b] for b in best.tolist()], sure

    def _scores(self, features: np.ndarray, owners: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Each text's score of each class (float64), as py3langid's but summed in
        float32 in another order, and how far py3langid's and these may each be from
        the true scores (0: a featureless text, whose scores are not these)."""
        if len(features) == 0:
            return np.zeros((n, len(self.prior))), np.zeros(n)
        slots, rows = self._rows32(features)
        # each text's distinct features and their counts: (text, row) pairs sorted
        codes = owners * len(rows) + slots
        pairs = np.sort(codes.astype(np.int32) if n * len(rows) < 2**31 else codes)  # int32: sorts faster
        starts = np.flatnonzero(np.diff(pairs, prepend=-1))
        text, slot = np.divmod(pairs[starts], len(rows))
        weights = np.log1p(np.diff(starts, append=len(pairs)).astype(np.float32))  # as py3langid weighs a count
        sums = np.zeros((n, rows.shape[1]), dtype=np.float32)
        sizes = np.zeros((n, rows.shape[1]), dtype=np.float32)
        signed = self.has_positive
        bounds = np.searchsorted(text, np.arange(n + 1)).tolist()
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            if hi > lo:
                picked = np.take(rows, slot[lo:hi], axis=0)
                sums[i] = weights[lo:hi] @ picked
                if signed:
                    sizes[i] = weights[lo:hi] @ np.abs(picked)
        if not signed:  # every term <= 0: the sum of the terms' sizes is the sum's size
            sizes = np.abs(sums)
        distinct = np.bincount(text, minlength=n)  # k: the products in each text's sums
        size = (sizes.astype(np.float64) + np.abs(self.prior)).max(axis=1)
        bound = np.where(distinct > 0, (distinct + _LOG1P_ULPS + 1) * _UNIT_ROUNDOFF * size, 0.0)
        return sums.astype(np.float64) + self.prior, bound

    def _rows32(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row of each feature in the float32 table, and the table (its rows as
        the float16 table's: every float16 is a float32), with the rows not there yet
        added."""
        slots = self.slot[features]
        if (slots < 0).any():
            with self.lock:
                new = np.unique(features[self.slot[features] < 0])
                need = self.used + len(new)
                if need > len(self.rows32):  # grown by half: few copies
                    size = max(need, min(len(self.rows32) * 3 // 2 + 1024, len(self.table)))
                    grown = np.empty((size, self.table.shape[1]), np.float32)
                    grown[: self.used] = self.rows32[: self.used]
                    self.rows32 = grown
                fresh = self.table[new].astype(np.float32)
                self.rows32[self.used : need] = fresh
                self.has_positive = self.has_positive or bool((fresh > 0).any())
                # slots last: another thread that reads them reads `rows32` after
                self.slot[new] = np.arange(self.used, need)
                self.used = need
            slots = self.slot[features]
        return slots, self.rows32

    def _exact_codes(self, visits: list[np.ndarray]) -> list[str]:
        """Each text's language scored as py3langid scores it: its features in the order
        its Counter has them, its float32 product, its folding of aliased labels."""
        ident = self.identifier
        keys, counts, bounds = _first_visits(visits)
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
    # the error bound is float32's, on a table every value of which is a float32
    if (
        np.dtype(identifier.nb_ptc.dtype) not in (np.float16, np.float32)
        or np.dtype(identifier.nb_pc.dtype) != np.float32
    ):
        return None
    return _BatchModel(identifier)
