"""A persistent index, so that tomorrow's scrape is cleaned against today's.

Crawls are repeated. With `--index site.idx`, what a run learns is kept in one SQLite
file (no server) and the next run starts from it:

* every page seen, with its site group, the hash of its text (an exact copy of an
  earlier page is a source of what that page holds, nothing more), the exact keys of
  its paragraphs (so chrome is counted over every page ever seen: one new page is
  enough to recognise it), its bytes, compressed, and what its input gave beside them
  (a JSONL record's url, date, id and fields, a WARC record's URI, an HTML page's
  headline and date): every run cuts every page seen into articles again, so that an
  article is what one run over every page would make of it (its date from the page
  that dates it, a teaser first met undated kept, its url from its first source);
* every distinct normalised text, with its fingerprint row (LSH band keys) and its
  near-duplicate cluster label (the smallest key of its cluster), so new texts are
  matched against old ones without re-checking old pairs;
* every article emitted, with the run that first emitted it and all its sources, so
  an article is emitted once (`--only-new`) and later copies only add sources.

The settings that shaped the fingerprints (permutations, bands, shingle size, seed,
normalisation, threshold, grouping, backend) are recorded; an index refuses a run with
other settings rather than mixing incomparable fingerprints. So are the options that
decide how input files are read into pages (`--input-format`, `--text-field`,
`--url-field`, `--html-field`, `--keep-fields`): they decide the pages' texts, urls and
fields, and a run reading its pages another way is refused rather than mixing the two.

A run holds the index's write lock from start to end (`BEGIN IMMEDIATE`), and writes
everything in that one transaction: a second run on the same index fails at once with
a clear message, and an interrupted run leaves the index as it was (WAL journal).
"""

from __future__ import annotations

import datetime as _dt
import json
import shlex
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._version import __version__
from ..config import Config
from ..dedup.fingerprints import lsh_params
from ..dedup.sorted_sets import unique
from ..text.normalise import NORMALISATION_VERSION

FORMAT = 3  #: the layout of the tables below; bumped when it changes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, day TEXT NOT NULL, pages INTEGER NOT NULL, articles INTEGER NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    page_id INTEGER PRIMARY KEY, path TEXT NOT NULL, grp TEXT NOT NULL, digest INTEGER NOT NULL,
    run_id INTEGER NOT NULL, day TEXT NOT NULL,
    keys BLOB NOT NULL,  -- the distinct exact keys of its paragraphs, uint64
    paragraphs BLOB NOT NULL,  -- the exact key of each paragraph, in order, uint64
    content BLOB,  -- its bytes, zlib-compressed (NULL: an exact copy of an earlier page)
    given TEXT  -- what its input gave beside its text (url, date, id, fields, HTML headline
                -- and date), as a JSON object (see `incremental.given_json`), or NULL
);
CREATE INDEX IF NOT EXISTS pages_digest ON pages (digest);
CREATE TABLE IF NOT EXISTS texts (
    key INTEGER PRIMARY KEY,  -- exact key of the normalised text (uint64 stored as int64)
    label INTEGER NOT NULL,   -- its cluster: the smallest key of the cluster
    fingerprint BLOB,         -- its fingerprint row, NULL for texts too short for MinHash
    text TEXT NOT NULL        -- the normalised text, to verify new candidates against
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, run_id INTEGER NOT NULL, day TEXT NOT NULL, source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_sources (
    id TEXT NOT NULL, source TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (id, source)
);
"""


class IndexProblem(Exception):
    """An index that cannot be used for this run (other settings, in use, not an index)."""


def fingerprint_settings(config: Config) -> dict:
    """What shapes the stored fingerprints and clusters: must be equal from run to run."""
    bands, rows = lsh_params(config)
    return {
        "format": FORMAT,
        "normalisation": NORMALISATION_VERSION,
        "backend": config.backend,
        "num_perm": config.num_perm,
        "bands": bands,
        "rows": rows,
        "shingle_size": config.shingle_size,
        "min_minhash_tokens": config.min_minhash_tokens,
        "seed": config.seed,
        "threshold": config.threshold,
        "group_by": config.group_by,
    }


#: The options that decide what a page read from an input is (its text, url, date, id
#: and fields kept): (the `Config` field, the option that sets it).
INPUT_OPTIONS = (
    ("input_format", "--input-format"),
    ("text_field", "--text-field"),
    ("url_field", "--url-field"),
    ("html_field", "--html-field"),
    ("keep_fields", "--keep-fields"),
)


def input_settings(config: Config) -> dict:
    """How input files are read into pages: must be equal from run to run."""
    values = {name: getattr(config, name) for name, _ in INPUT_OPTIONS}
    return {**values, "keep_fields": list(config.keep_fields)}


def _signed(keys: np.ndarray) -> list[int]:
    return keys.astype(np.uint64).view(np.int64).tolist()


@dataclass
class Known:
    """What the index knows, as arrays the clustering stage takes in."""

    page_paths: list[str]  #: earlier pages, by slot
    page_groups: list[str]
    digests: dict[int, int]  #: text hash -> slot of the earlier page
    page_digests: list[int]  #: each slot's text hash
    paragraph_keys: list[np.ndarray]  #: uint64: each slot's paragraphs' keys, in order
    page_given: list[str | None]  #: what each slot's input gave beside its text (JSON)
    text_keys: np.ndarray  #: uint64, sorted: every text known
    labels: np.ndarray  #: uint64: the cluster label of each text
    row_keys: np.ndarray  #: uint64: the texts with a fingerprint row
    rows: np.ndarray  #: their rows


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of `keys` are in `sorted_keys` (sorted): a binary search each, so asking about
    a few keys does not sort the whole index's keys as `np.isin` would."""
    at = np.searchsorted(sorted_keys, keys)
    found = at < len(sorted_keys)
    found[found] = sorted_keys[at[found]] == keys[found]
    return found


class CorpusIndex:
    """One run's use of an index file: open (and lock) it, read what it knows, record the run."""

    def __init__(self, path: str | Path, config: Config) -> None:
        self.path = Path(path)
        self.config = config
        self.settings = fingerprint_settings(config)
        self.inputs = input_settings(config)
        self.day = _dt.date.today().isoformat()
        try:
            # isolation_level=None: transactions are begun and ended here, explicitly
            self.db = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise IndexProblem(
                    f"{self.path}: in use by another corpus-clean run; wait for it to finish (runs on one "
                    "index take turns)"
                ) from None
            raise IndexProblem(f"{self.path}: cannot be opened as an index ({err})") from None
        except sqlite3.DatabaseError as err:
            raise IndexProblem(f"{self.path}: not a corpus-clean index ({err})") from None
        try:
            self._check_or_create()
        except BaseException:
            self.close()
            raise

    def _check_or_create(self) -> None:
        try:
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as err:
            raise IndexProblem(f"{self.path}: not a corpus-clean index ({err})") from None
        if tables and "meta" not in tables:
            raise IndexProblem(f"{self.path}: not a corpus-clean index (no meta table); give another file name")
        if not tables:  # a new file (or one a failed first run left empty)
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES ('settings', ?)", (json.dumps(self.settings, sort_keys=True),))
            self.db.execute("INSERT INTO meta VALUES ('inputs', ?)", (json.dumps(self.inputs),))
            self.db.execute("INSERT INTO meta VALUES ('created', ?)", (self.day,))
            return
        row = self.db.execute("SELECT value FROM meta WHERE key='settings'").fetchone()
        stored = json.loads(row[0]) if row else {}
        made = stored.get("format")
        if isinstance(made, int) and made > FORMAT:
            raise IndexProblem(
                f"{self.path}: an index of format {made}, made by a newer corpus-clean (this one reads format "
                f"{FORMAT}); upgrade corpus-clean to use it"
            )
        if isinstance(made, int) and made < FORMAT:
            # an older layout lacks what its pages' inputs gave (their url, date, headline):
            # its pages would come out with less than they did, so it is not read
            raise IndexProblem(
                f"{self.path}: an index of format {made}, made by an older corpus-clean; this one reads format "
                f"{FORMAT} (it also keeps each page's url, date and HTML headline): start a new index (another "
                "--index file) and run it over the pages again"
            )
        differ = [
            f"{k} {stored.get(k)!r} in the index, {v!r} now" for k, v in self.settings.items() if stored.get(k) != v
        ]
        if differ:
            raise IndexProblem(
                f"{self.path}: made with other settings ({'; '.join(differ)}); run with the index's settings, "
                "or start a new index"
            )
        self._check_inputs()

    def _check_inputs(self) -> None:
        """Refuse a run that reads its pages otherwise than the index's were read: the
        earlier pages are not read again from their files, so the two ways would mix."""
        row = self.db.execute("SELECT value FROM meta WHERE key='inputs'").fetchone()
        if row is None:
            raise IndexProblem(
                f"{self.path}: made before an index recorded how its pages were read (the input options "
                f"{', '.join(option for _, option in INPUT_OPTIONS)}); start a new index (another --index file) "
                "and run it over the pages again"
            )
        stored = json.loads(row[0])
        differ = [(name, option) for name, option in INPUT_OPTIONS if stored.get(name) != self.inputs[name]]
        if differ:
            found = "; ".join(
                f"{option} {_shown(stored.get(name))} in the index, {_shown(self.inputs[name])} now"
                for name, option in differ
            )
            fix = " and ".join(_as_given(option, stored.get(name)) for name, option in differ)
            raise IndexProblem(
                f"{self.path}: its pages were read with other input options ({found}); run {fix}, or start a new "
                "index (another --index file) for pages read this way"
            )

    # --- reading -----------------------------------------------------------------

    def known(self) -> Known:
        paths, groups, digests, all_digests, paragraphs, given = [], [], {}, [], [], []
        for slot, (path, grp, digest, blob, page_given) in enumerate(
            self.db.execute("SELECT path, grp, digest, paragraphs, given FROM pages ORDER BY page_id")
        ):
            paths.append(path)
            given.append(page_given)
            groups.append(grp)
            digest &= 0xFFFFFFFFFFFFFFFF
            digests.setdefault(digest, slot)
            all_digests.append(digest)
            paragraphs.append(np.frombuffer(blob, dtype=np.uint64))
        keys, labels, row_keys, rows = [], [], [], []
        for key, label, fingerprint in self.db.execute("SELECT key, label, fingerprint FROM texts ORDER BY key"):
            keys.append(key)
            labels.append(label)
            if fingerprint is not None:
                row_keys.append(key)
                rows.append(fingerprint)
        width, dtype = self._row_shape()
        as_u64 = lambda values: np.array(values, dtype=np.int64).view(np.uint64)  # noqa: E731
        text_keys, text_labels = as_u64(keys), as_u64(labels)
        order = np.argsort(text_keys)  # sqlite orders the signed values
        row_keys_u = as_u64(row_keys)
        row_matrix = np.frombuffer(b"".join(rows), dtype=dtype).reshape(len(rows), width)
        row_order = np.argsort(row_keys_u)
        return Known(
            paths, groups, digests, all_digests, paragraphs, given, text_keys[order], text_labels[order],
            row_keys_u[row_order], row_matrix[row_order],
        )  # fmt: skip

    def page_contents(self) -> Iterator[tuple[int, bytes]]:
        """(slot, bytes) of every earlier page stored whole (not an exact copy), in order."""
        rows = self.db.execute("SELECT content FROM pages ORDER BY page_id")
        for slot, (content,) in enumerate(rows):
            if content is not None:
                yield slot, zlib.decompress(content)

    def _row_shape(self) -> tuple[int, type]:
        if self.config.backend == "datasketch":
            return self.config.num_perm, np.uint32
        return self.settings["bands"], np.uint64

    def texts(self, keys: Iterable[int]) -> dict[int, str]:
        """The stored normalised texts of these keys (those the index has)."""
        out: dict[int, str] = {}
        wanted = np.array(list(keys), dtype=np.uint64)
        for lo in range(0, len(wanted), 500):
            part = _signed(wanted[lo : lo + 500])
            marks = ",".join("?" * len(part))
            for key, text in self.db.execute(f"SELECT key, text FROM texts WHERE key IN ({marks})", part):
                out[key & 0xFFFFFFFFFFFFFFFF] = text
        return out

    def known_articles(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for lo in range(0, len(ids), 500):
            part = list(ids[lo : lo + 500])
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", part))
        return found

    def sources(self, article_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT source FROM article_sources WHERE id = ?", (article_id,))]

    # --- writing -------------------------------------------------------------------

    def record(
        self,
        pages: Sequence[tuple[str, str, int, np.ndarray, bytes | None, str | None]],
        texts: dict[int, tuple[int, bytes | None, str]],
        relabelled: dict[int, int],
        articles: Sequence[tuple[str, str, Sequence[str], bool]],
    ) -> None:
        """Write the run, inside the run's transaction: `commit` keeps it, once the output is safe.

        pages: (path, group, digest, paragraph keys, bytes or None for an exact copy of a
        page before it, what its input gave as JSON or None) of the new pages, in input
        order; texts: key ->
        (label, fingerprint row, normalised text) of the new texts; relabelled: key ->
        new label of earlier texts whose cluster grew; articles: (id, source, sources,
        new) of the articles of the run (new: not in the index before).
        """
        run_id = self.db.execute(
            "INSERT INTO runs (day, pages, articles, version) VALUES (?, ?, ?, ?)",
            (self.day, len(pages), sum(1 for a in articles if a[3]), __version__),
        ).lastrowid
        self.db.executemany(
            "INSERT INTO pages (path, grp, digest, run_id, day, keys, paragraphs, content, given) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (path, grp, _signed(np.array([digest], dtype=np.uint64))[0], run_id, self.day,
                 unique(keys).astype(np.uint64).tobytes(), np.asarray(keys, dtype=np.uint64).tobytes(),
                 None if content is None else zlib.compress(content, 6), given)
                for path, grp, digest, keys, content, given in pages
            ),
        )  # fmt: skip
        signed = lambda k: k - (1 << 64) if k >= 1 << 63 else k  # noqa: E731
        self.db.executemany(
            "INSERT OR REPLACE INTO texts (key, label, fingerprint, text) VALUES (?, ?, ?, ?)",
            ((signed(k), signed(label), row, text) for k, (label, row, text) in texts.items()),
        )
        self.db.executemany(
            "UPDATE texts SET label = ? WHERE key = ?", ((signed(v), signed(k)) for k, v in relabelled.items())
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO articles (id, run_id, day, source) VALUES (?, ?, ?, ?)",
            ((aid, run_id, self.day, source) for aid, source, _, new in articles if new),
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO article_sources (id, source, run_id) VALUES (?, ?, ?)",
            ((aid, s, run_id) for aid, _, sources, _ in articles for s in sources),
        )

    def commit(self) -> None:
        """Keep what `record` wrote. Call once the run's output is written: an article the
        index counts as emitted must be in some output."""
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close; without `record`, nothing of this run is kept."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()


def _shown(value: object) -> str:
    if value is None or value == []:
        return "none"
    return repr(",".join(value)) if isinstance(value, list) else repr(value)


def _as_given(option: str, value: object) -> str:
    """How a run gives `option` this value: "with --text-field body", "without --html-field"."""
    if value is None or value == []:
        return f"without {option}"
    return f"with {option} {shlex.quote(','.join(value) if isinstance(value, list) else str(value))}"


def index_stats(path: str | Path) -> dict:
    """What an index holds (read only; works while a run holds it)."""
    db = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        settings = json.loads(one("SELECT value FROM meta WHERE key='settings'"))
        inputs = db.execute("SELECT value FROM meta WHERE key='inputs'").fetchone()
        return {
            "file": str(path),
            "bytes": Path(path).stat().st_size,
            "created": one("SELECT value FROM meta WHERE key='created'"),
            "runs": one("SELECT count(*) FROM runs"),
            "last_run": one("SELECT max(day) FROM runs"),
            "pages": one("SELECT count(*) FROM pages"),
            "paragraph_occurrences": one("SELECT coalesce(sum(length(keys)), 0) FROM pages") // 8,
            "texts": one("SELECT count(*) FROM texts"),
            "clusters": one("SELECT count(DISTINCT label) FROM texts"),
            "articles": one("SELECT count(*) FROM articles"),
            "article_sources": one("SELECT count(*) FROM article_sources"),
            "settings": settings,
            "inputs": json.loads(inputs[0]) if inputs else None,
        }
    except sqlite3.DatabaseError as err:
        raise IndexProblem(f"{path}: not a corpus-clean index ({err})") from None
    finally:
        db.close()


def prune(path: str | Path, before: _dt.date) -> dict:
    """Forget pages seen before `before` (and texts only they held, and articles first
    emitted before it): chrome counts then reflect the recent site, and the file shrinks."""
    db = sqlite3.connect(Path(path), timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        db.close()
        raise IndexProblem(f"{path}: in use by a corpus-clean run; prune it afterwards") from None
    try:
        day = before.isoformat()
        pages = db.execute("DELETE FROM pages WHERE day < ?", (day,)).rowcount
        referenced = unique(
            np.concatenate(
                [np.frombuffer(r[0], dtype=np.uint64) for r in db.execute("SELECT keys FROM pages")]
                or [np.empty(0, dtype=np.uint64)]
            )
        )
        db.execute("CREATE TEMP TABLE keep (key INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO keep VALUES (?)", ((k,) for k in _signed(referenced)))
        texts = db.execute("DELETE FROM texts WHERE key NOT IN (SELECT key FROM keep)").rowcount
        articles = db.execute("DELETE FROM articles WHERE day < ?", (day,)).rowcount
        db.execute("DELETE FROM article_sources WHERE id NOT IN (SELECT id FROM articles)")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()
        raise
    db.execute("VACUUM")
    db.close()
    return {"pages": pages, "texts": texts, "articles": articles}
