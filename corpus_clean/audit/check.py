"""`corpus-clean check`: find what is wrong with an output corpus, line by line.

A corpus is what `run` writes, in any of its formats and layouts (`corpus_files`,
`corpus_lines`): JSONL, compressed (gzip, bzip2, zstd; told by the bytes, not the
name, so stdin works too), Parquet (each row read as the JSON line it stands for),
a set of shards given as several files, or a folder of parts. Several files are
one corpus: an article in two shards is a duplicate; problems name their own file.

The checks a CI job wants before a corpus is used: every line an article of the
shipped schema, no article twice (by id, by text, or nearly), no chrome that the
cleaner let through, no empty articles, no impossible dates. Each rule is a small
function testable alone; `check_lines` runs them all over a stream of lines.

Memory: lines are read one at a time and their parsed objects dropped at once. What
is kept across the corpus is what comparing articles needs: each id, a 64-bit key
per distinct text and per distinct paragraph, and the normalised texts of distinct
articles for the near-duplicate search (MinHash + LSH, `clusters.near_duplicate_pairs`).

Over 500 lines because every check of a line and of the corpus lives here, each a short
function, so that `check`'s rules are read in one place.
"""

from __future__ import annotations

import bisect
import bz2
import contextlib
import datetime as _dt
import gzip
import io
import json
import lzma
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..config import Config
from ..dedup.clusters import near_duplicate_pairs
from ..dedup.components import components
from ..dedup.fingerprints import exact_key
from ..text.normalise import normalise_for_dedup

#: Every rule, with what it means (shown in the summary and the README).
RULES = {
    "schema": "not JSON, or not an article of the output schema (n_chars, source included)",
    "duplicate-id": "an id already used on an earlier line",
    "exact-duplicate": "the same text (once normalised) as an earlier article",
    "near-duplicate": "nearly the same text as an earlier article (when too many articles have one)",
    "leaked-chrome": "a paragraph or line found in several articles: page chrome the cleaner missed",
    "tiny-text": "empty or too short a text",
    "bad-date": "a date not YYYY-MM-DD, not a real day, or outside the plausible window",
    "no-articles": "the input holds no line at all",
    "unreadable": "a file that cannot be read to its end (truncated or corrupt compression or Parquet)",
}

#: Messages quote at most this much of a value: a 3,000-character text helps no one.
MAX_QUOTE_CHARS = 80
#: Line numbers listed in one leaked-chrome message; the count says how many more.
MAX_LISTED_LINES = 10
#: Similarities are only computed for the message up to this total length (the pair
#: is already verified; a megabyte-long edit distance is not worth a nicer message).
MAX_SCORED_CHARS = 40_000

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the corpus, where it is and which rule says so."""

    file: str
    line: int | None  #: 1-based; None for the input as a whole ("no articles")
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.rule}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CheckSettings:
    """Every threshold of `check`, with its default and the reason for it."""

    #: Texts shorter than this (in characters) are `tiny-text`. corpus-clean drops
    #: articles under 10 words (Config.min_article_words), about 50 characters of English.
    min_chars: int = 50
    #: Two articles at least this similar (rapidfuzz normalised Indel similarity of
    #: their normalised texts, after MinHash + LSH) are near-duplicates. The same
    #: default as the pipeline's `--threshold`, which merges copies this similar.
    near_dup_threshold: float = 0.8
    #: Near-duplicates are problems when the share of articles having one (0-1) is
    #: above this. 0: any near-duplicate fails, because the pipeline merges near
    #: copies, so one left over is a miss; a corpus of genuinely similar articles
    #: (daily reports from a template) can allow some.
    max_near_dup_rate: float = 0.0
    #: A paragraph or line found in at least this many distinct articles is leaked
    #: chrome ("Go back"). Two would flag an article quoting another; near-duplicate
    #: articles count once.
    leak_min_articles: int = 3
    #: Dates before 1 January of this year are implausible (as Config.min_year).
    min_year: int = Config.min_year
    #: Dates after this day are implausible. None: today.
    latest_date: _dt.date | None = None

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("; ".join(problems))

    def _problems(self) -> Iterator[str]:
        def is_int(value) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        def is_number(value) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool)

        if not is_int(self.min_chars) or self.min_chars < 0:
            yield f"min_chars must be an integer >= 0, got {self.min_chars!r}"
        if not is_number(self.near_dup_threshold) or not 0.0 < self.near_dup_threshold <= 1.0:
            yield f"near_dup_threshold must be a number in (0, 1], got {self.near_dup_threshold!r}"
        if not is_number(self.max_near_dup_rate) or not 0.0 <= self.max_near_dup_rate <= 1.0:
            yield f"max_near_dup_rate must be a number in [0, 1], got {self.max_near_dup_rate!r}"
        if not is_int(self.leak_min_articles) or self.leak_min_articles < 2:
            yield f"leak_min_articles must be an integer >= 2, got {self.leak_min_articles!r}"
        if not is_int(self.min_year) or not 1 <= self.min_year <= 9999:
            yield f"min_year must be a year (an integer in [1, 9999]), got {self.min_year!r}"
        elif self.latest_date is not None:
            if not isinstance(self.latest_date, _dt.date) or isinstance(self.latest_date, _dt.datetime):
                yield f"latest_date must be a date (YYYY-MM-DD), got {self.latest_date!r}"
            elif self.latest_date.year < self.min_year:
                yield f"latest_date must not be before min_year {self.min_year}, got {self.latest_date}"
        elif self.min_year > _dt.date.today().year:
            # with no latest date, today is the last plausible one: every date would be flagged
            yield f"min_year must not be after this year ({_dt.date.today().year}), got {self.min_year}"

    @property
    def date_window(self) -> tuple[_dt.date, _dt.date]:
        """The plausible dates: from 1 January of `min_year` to `latest_date` (today by default)."""
        return _dt.date(self.min_year, 1, 1), self.latest_date or _dt.date.today()

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "latest_date": self.date_window[1].isoformat()}


@dataclass
class CheckResult:
    """What `check_lines` found: the problems, in line order, and what was counted."""

    source_name: str
    settings: CheckSettings
    articles: int = 0  #: lines read (each should be one article)
    near_duplicate_pairs: int = 0  #: verified pairs, whether or not they are problems
    near_duplicate_articles: int = 0  #: distinct articles in those pairs
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def near_duplicate_rate(self) -> float:
        """Share of the articles that have a near-duplicate (0 for an empty input)."""
        return self.near_duplicate_articles / self.articles if self.articles else 0.0

    def counts_by_rule(self) -> dict[str, int]:
        counts = {rule: 0 for rule in RULES}
        for problem in self.problems:
            counts[problem.rule] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable result (`--output-format json`)."""
        return {
            "file": self.source_name,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
            "summary": {
                "articles": self.articles,
                "problems": len(self.problems),
                "by_rule": self.counts_by_rule(),
                "near_duplicate_pairs": self.near_duplicate_pairs,
                "near_duplicate_articles": self.near_duplicate_articles,
                "near_duplicate_rate": round(self.near_duplicate_rate, 6),
            },
            "settings": self.settings.to_dict(),
        }


# --- rules, each on its own -----------------------------------------------------


def _quote(value: str) -> str:
    return json.dumps(
        value if len(value) <= MAX_QUOTE_CHARS else value[: MAX_QUOTE_CHARS - 1] + "…", ensure_ascii=False
    )


def parse_line(line: str) -> tuple[Any, str | None]:
    """The JSON value of one line, or None and why it is not one."""
    if not line.isascii():
        try:
            line.encode("utf-8")
        except UnicodeEncodeError as err:
            # files are read with errors="surrogateescape": undecodable bytes arrive as lone surrogates
            return None, f"not UTF-8 text (bad byte at column {err.start + 1})"
    if not line.strip():
        return None, "empty line (each line must be one JSON article)"
    try:
        return json.loads(line), None
    except json.JSONDecodeError as err:
        return None, f"not JSON: {err.msg} at column {err.colno}"


@lru_cache(maxsize=1)
def schema_validator():
    """A jsonschema validator of the shipped article schema (built once)."""
    import jsonschema

    from ..io.write import article_schema

    schema = article_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def schema_messages(article: Any) -> list[str]:
    """Why a parsed line is not an article of the shipped JSON Schema (empty when it is)."""
    messages = []
    for error in schema_validator().iter_errors(article):
        path = "/".join(str(part) for part in error.absolute_path)
        if path == "date" and error.validator == "pattern":
            continue  # `date_message` says it better ("not YYYY-MM-DD"), under bad-date
        message = error.message if len(error.message) <= 2 * MAX_QUOTE_CHARS else error.message[:159] + "…"
        messages.append(f"{path}: {message}" if path else message)
    return sorted(messages)


def consistency_messages(article: dict) -> list[str]:
    """What the schema cannot say: n_chars is the text's length, source is the first of sources."""
    messages = []
    text, n_chars = article.get("text"), article.get("n_chars")
    if isinstance(text, str) and isinstance(n_chars, int) and not isinstance(n_chars, bool) and n_chars != len(text):
        messages.append(f"n_chars is {n_chars} but text has {len(text)} characters")
    source, sources = article.get("source"), article.get("sources")
    if isinstance(source, str) and isinstance(sources, list) and sources and source != sources[0]:
        messages.append(f"source {_quote(source)} is not the first of sources ({_quote(str(sources[0]))})")
    return messages


def tiny_text_message(text: str, min_chars: int) -> str | None:
    """Why a text is too short to be an article, or None."""
    if not text.strip():
        return "text is empty"
    if len(text) < min_chars:
        return f"text has {len(text)} characters, fewer than {min_chars}: {_quote(text)}"
    return None


def date_message(date: str, earliest: _dt.date, latest: _dt.date) -> str | None:
    """Why a date is malformed or implausible, or None."""
    if not _ISO_DATE.fullmatch(date):
        return f"date {_quote(date)} is not YYYY-MM-DD"
    try:
        day = _dt.date.fromisoformat(date)
    except ValueError:
        return f"date {date} is not a real day"
    if day < earliest:
        return f"date {date} is before {earliest.isoformat()}, the earliest plausible date"
    if day > latest:
        return f"date {date} is after {latest.isoformat()}, the latest plausible date"
    return None


def leak_units(text: str, normalised_text: str) -> dict[str, str]:
    """The paragraphs and lines of a text that could be chrome: normalised form -> as written.

    Paragraphs are separated by a blank line; lines inside a paragraph count too.
    The whole text is left out: an article repeated whole is a duplicate, not chrome.
    """
    units: dict[str, str] = {}
    if "\n" not in text:
        return units  # one paragraph of one line: the whole text
    for paragraph in text.split("\n\n"):
        pieces = [paragraph, *paragraph.split("\n")] if "\n" in paragraph else [paragraph]
        for piece in pieces:
            normalised = normalise_for_dedup(piece)
            if normalised and normalised != normalised_text:
                units.setdefault(normalised, piece.strip())
    return units


def similarity(a: str, b: str) -> float | None:
    """rapidfuzz normalised Indel similarity, as the near-duplicate verification computes it."""
    if len(a) + len(b) > MAX_SCORED_CHARS:
        return None
    from rapidfuzz.distance import Indel

    # rounded down, so that 99.97 % similar is never shown as identical
    return math.floor(Indel.normalized_similarity(a, b) * 1000) / 1000


# --- the whole corpus ---------------------------------------------------------------


class CorpusChecker:
    """Runs every rule over lines fed one at a time; `finish` adds the corpus-wide rules."""

    def __init__(self, source_name: str, settings: CheckSettings) -> None:
        self.result = CheckResult(source_name, settings)
        # lines are numbered across files; each file's name and the count of lines before it
        self.files: list[str] = [source_name]
        self.starts: list[int] = [0]
        self._found: list[tuple[int, Problem]] = []
        self.settings = settings
        self.earliest, self.latest = settings.date_window
        self.line_of_id: dict[str, int] = {}
        self.line_of_text: dict[int, int] = {}  # exact key of the normalised text -> first line
        # distinct texts, in order: their line and normalised text (for near-duplicates)
        self.text_lines: list[int] = []
        self.texts: list[str] = []
        # leaked chrome: per paragraph key, the first distinct text it was in; once seen
        # twice, every such text and the paragraph as written
        self.unit_first: dict[int, int] = {}
        self.unit_texts: dict[int, list[int]] = {}
        self.unit_shown: dict[int, str] = {}

    def begin_file(self, name: str) -> None:
        """The lines fed from now on are those of the file `name`, numbered from 1."""
        if self.result.articles == 0 and self.starts == [0] and self.files == [self.result.source_name]:
            self.files = []
            self.starts = []
        self.files.append(name)
        self.starts.append(self.result.articles)

    def _where(self, number: int) -> tuple[str, int]:
        index = bisect.bisect_right(self.starts, number - 1) - 1
        return self.files[index], number - self.starts[index]

    def ref(self, number: int, here: int) -> str:
        """Line `number` as seen from line `here`: "line 3", or "line 3 of out-00000.jsonl"."""
        file, line = self._where(number)
        return f"line {line}" if file == self._where(here)[0] else f"line {line} of {file}"

    def problem(self, line: int | None, rule: str, message: str, file: str | None = None) -> None:
        """A problem on a line (numbered across files), or on a whole file (None: the input)."""
        if line is None:
            self._found.append((self.result.articles, Problem(file or self.result.source_name, None, rule, message)))
            return
        where, local = self._where(line)
        self._found.append((line, Problem(where, local, rule, message)))

    def unreadable(self, file: str, error: BaseException) -> None:
        """The rest of `file` cannot be read: one problem, after its last line read."""
        after = self.result.articles - self.starts[-1]
        what = str(error) or type(error).__name__
        self.problem(None, "unreadable", f"cannot be read after line {after}: {what}", file=file)

    def add_line(self, number: int, line: str) -> None:
        self.result.articles += 1
        article, error = parse_line(line)
        if error is not None:
            self.problem(number, "schema", error)
            return
        for message in schema_messages(article):
            self.problem(number, "schema", message)
        if not isinstance(article, dict):
            return
        for message in consistency_messages(article):
            self.problem(number, "schema", message)

        duplicate_of = None
        article_id = article.get("id")
        if isinstance(article_id, str):
            duplicate_of = self.line_of_id.setdefault(article_id, number)
            if duplicate_of != number:
                self.problem(number, "duplicate-id", f"id {article_id} is already on {self.ref(duplicate_of, number)}")

        date = article.get("date")
        if isinstance(date, str):
            message = date_message(date, self.earliest, self.latest)
            if message:
                self.problem(number, "bad-date", message)

        text = article.get("text")
        if isinstance(text, str):
            self.add_text(number, text, duplicate_of)

    def add_text(self, number: int, text: str, duplicate_id_of: int | None) -> None:
        message = tiny_text_message(text, self.settings.min_chars)
        if message:
            self.problem(number, "tiny-text", message)
        normalised = normalise_for_dedup(text)
        first = self.line_of_text.setdefault(exact_key(normalised), number)
        if first != number:
            if first != duplicate_id_of:  # a line written twice is one problem (duplicate-id), not two
                self.problem(number, "exact-duplicate", f"same text (once normalised) as {self.ref(first, number)}")
            return  # a copy adds nothing to compare: it is reported already
        index = len(self.texts)
        self.text_lines.append(number)
        self.texts.append(normalised)
        for unit, shown in leak_units(text, normalised).items():
            key = exact_key(unit)
            first_index = self.unit_first.setdefault(key, index)
            if first_index != index:
                self.unit_texts.setdefault(key, [first_index]).append(index)
                self.unit_shown.setdefault(key, shown)

    def finish(self) -> CheckResult:
        result = self.result
        if result.articles == 0:
            self.problem(None, "no-articles", "no articles: the input is empty")
        groups = self.near_duplicates()
        self.leaked_chrome(groups)
        rules = list(RULES)
        self._found.sort(key=lambda found: (found[0], found[1].line is not None, rules.index(found[1].rule)))
        result.problems = [problem for _, problem in self._found]
        return result

    def near_duplicates(self) -> np.ndarray:
        """Report near-duplicate pairs when their rate is too high; return the group of
        each text (near-duplicates, directly or through others, are one group)."""
        settings, result = self.settings, self.result
        pairs = near_duplicate_pairs(self.texts, Config(threshold=settings.near_dup_threshold)) if self.texts else []
        groups = components(len(self.texts), np.asarray(pairs, dtype=np.int64))
        involved = {i for pair in pairs for i in pair}
        result.near_duplicate_pairs = len(pairs)
        result.near_duplicate_articles = len(involved)
        if result.near_duplicate_rate > settings.max_near_dup_rate:
            rate = (
                f"{len(involved)} of {result.articles} articles ({result.near_duplicate_rate:.1%}) have one, "
                f"over the {settings.max_near_dup_rate:.1%} allowed"
            )
            for i, j in sorted(pairs, key=lambda pair: (pair[1], pair[0])):
                score = similarity(self.texts[i], self.texts[j])
                how = f"{score:.1%}" if score is not None else f"at least {settings.near_dup_threshold:.0%}"
                self.problem(
                    self.text_lines[j],
                    "near-duplicate",
                    f"text {how} similar to {self.ref(self.text_lines[i], self.text_lines[j])}'s "
                    f"(near-duplicates: {rate})",
                )
        return groups

    def leaked_chrome(self, groups: np.ndarray) -> None:
        """Report the paragraphs found in enough distinct articles (near-duplicates count once)."""
        for key, indexes in self.unit_texts.items():
            if len(set(groups[indexes].tolist())) < self.settings.leak_min_articles:
                continue
            lines = [self.text_lines[i] for i in indexes]
            first_file = self._where(lines[0])[0]
            listed = ", ".join(
                str(line) if file == first_file else f"{line} of {file}"
                for file, line in map(self._where, lines[:MAX_LISTED_LINES])
            )
            more = f" and {len(lines) - MAX_LISTED_LINES} more" if len(lines) > MAX_LISTED_LINES else ""
            self.problem(
                lines[0],
                "leaked-chrome",
                f"{_quote(self.unit_shown[key])} is in {len(lines)} articles (lines {listed}{more})",
            )


def check_lines(lines: Iterable[str], source_name: str, settings: CheckSettings | None = None) -> CheckResult:
    """Check a corpus given as its lines (a file object works): every rule, problems in line order."""
    checker = CorpusChecker(source_name, settings or CheckSettings())
    for number, line in enumerate(lines, start=1):
        checker.add_line(number, line)
    return checker.finish()


def check_file(path: str | Path, settings: CheckSettings | None = None) -> CheckResult:
    """Check a file or folder `run` wrote, in any of its formats (see `corpus_lines`); bytes
    that are not UTF-8 are reported on their line, not raised."""
    return check_sources(corpus_files([str(path)]), str(path), settings)


def check_sources(files: Sequence[str], source_name: str, settings: CheckSettings | None = None) -> CheckResult:
    """Check several files as one corpus ("-": stdin), each read with `corpus_lines`; a file
    that cannot be read to its end is an `unreadable` problem, and the next file is read."""
    checker = CorpusChecker(source_name, settings or CheckSettings())
    for file in files:
        name = "<stdin>" if file == STDIN else file
        checker.begin_file(name)
        number = checker.result.articles
        lines = corpus_lines(file)
        try:
            while True:
                try:
                    line = next(lines)
                except StopIteration:
                    break
                except Exception as err:  # noqa: BLE001 - any decoder's error: the file is broken there
                    checker.unreadable(name, err)
                    break
                number += 1
                checker.add_line(number, line)
        finally:
            lines.close()
    return checker.finish()


# --- reading what `run` writes ------------------------------------------------------

STDIN = "-"
#: What a file's first bytes say it is (the name may say nothing: stdin, a renamed file).
_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\x28\xb5\x2f\xfd": "zst", b"\xfd7zXZ\x00": "xz", b"PAR1": "parquet"}
#: Rows of a Parquet file read at a time: memory stays bounded whatever the corpus.
PARQUET_BATCH_ROWS = 1000
_PART = re.compile(r"part-(\d{5,})(\..+)")


class CorpusInputError(ValueError):
    """An argument that is not a corpus to check (missing, an empty folder, a folder of mixed parts)."""


def corpus_files(arguments: Sequence[str]) -> list[str]:
    """The files to read for these arguments, in order: a folder stands for its parts
    (`part-00000.jsonl`, ... in number order, as `run -o DIR/` writes them); "-" is stdin."""
    files: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if argument == STDIN:
            files.append(argument)
        elif path.is_dir():
            files.extend(str(part) for part in _parts(path))
        elif not path.exists():
            raise CorpusInputError(f"{argument}: no such file{_shards_hint(path)}")
        else:
            try:
                open(path, "rb").close()
            except OSError as err:
                raise CorpusInputError(f"{argument}: cannot be read ({err.strerror})") from None
            files.append(argument)
    if files.count(STDIN) > 1:
        raise CorpusInputError("- (stdin) can be read only once")
    return files


def _parts(folder: Path) -> list[Path]:
    by_suffix: dict[str, list[tuple[int, Path]]] = {}
    for entry in folder.iterdir():
        match = _PART.fullmatch(entry.name)
        if match and entry.is_file():
            by_suffix.setdefault(match.group(2), []).append((int(match.group(1)), entry))
    if not by_suffix:
        raise CorpusInputError(
            f"{folder}: is a folder without parts (part-00000.jsonl, ... as 'corpus-clean run -o DIR/' writes); "
            "give the files to check"
        )
    if len(by_suffix) > 1:
        kinds = ", ".join(f"part-*{suffix}" for suffix in sorted(by_suffix))
        raise CorpusInputError(f"{folder}: holds parts of several formats ({kinds}); give the files to check")
    return [path for _, path in sorted(next(iter(by_suffix.values())))]


def _shards_hint(path: Path) -> str:
    """ "; it was written as shards ..." when `path` is missing but shards of it exist."""
    from ..io.write import is_shard, shard_path

    folder = path.parent if str(path.parent) else Path(".")
    try:
        shards = sorted(entry.name for entry in folder.iterdir() if is_shard(entry.name, path))
    except OSError:
        return ""
    if not shards:
        return "; give a file written by 'corpus-clean run -o FILE', or - to read stdin"
    pattern = shard_path(path, 0).name.replace("00000", "*")
    return f"; it was written as {len(shards)} shard(s): give them all ({folder / pattern})"


def corpus_lines(file: str) -> Iterator[str]:
    """The lines of one file of a corpus ("-": stdin): JSONL, compressed JSONL (gzip, bzip2,
    zstd, xz) or Parquet, told by its first bytes; a Parquet row comes as its JSON line.
    Undecodable bytes are kept (as lone surrogates) for the check to report."""
    if file == STDIN:
        stdin = sys.stdin.buffer
        yield from _lines_of(stdin if hasattr(stdin, "peek") else io.BufferedReader(stdin), "<stdin>")
        return
    with open(file, "rb") as raw:
        yield from _lines_of(raw, file)


def _lines_of(binary: BinaryIO, name: str) -> Iterator[str]:
    """The lines of an open binary stream (never closed here: stdin must stay open)."""
    head = binary.peek(8)[:8]  # type: ignore[attr-defined]
    kind = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)
    if kind == "parquet":
        yield from _parquet_lines(binary)
        return
    if kind == "gz":
        stream: Any = gzip.GzipFile(fileobj=binary)  # reads concatenated members too
    elif kind == "bz2":
        stream = bz2.BZ2File(binary)
    elif kind == "xz":
        stream = lzma.LZMAFile(binary)  # noqa: SIM115 (closed in the finally below, not the binary under it)
    elif kind == "zst":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(binary, read_across_frames=True, closefd=False)
        stream = io.BufferedReader(reader)
    else:
        stream = binary
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="\n")
    try:
        yield from text
    finally:
        text.detach()  # closing it would close the stream under it: stdin, or the caller's file
        if stream is not binary:
            with contextlib.suppress(Exception):
                stream.close()  # a decompressor given a file object leaves that file open


def _parquet_lines(binary: BinaryIO) -> Iterator[str]:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise CorpusInputError(f"reading Parquet needs the pyarrow package ({err})") from err
    with contextlib.ExitStack() as stack:
        if not binary.seekable():  # a pipe: Parquet's index is at its end
            spooled = stack.enter_context(tempfile.TemporaryFile(prefix="corpus-clean-check-"))
            shutil.copyfileobj(binary, spooled)
            spooled.seek(0)
            binary = spooled  # type: ignore[assignment]
        table = stack.enter_context(pq.ParquetFile(binary))
        for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for row in batch.to_pylist():
                yield json.dumps(row, ensure_ascii=False)
