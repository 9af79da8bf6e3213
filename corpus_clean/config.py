"""Every knob of the pipeline, in one place, with its default and the reason for it.

Stages receive the whole `Config` rather than loose keyword arguments, so a new
threshold never has to be threaded through five call sites, and the CLI maps one
flag onto one field.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, fields
from functools import cached_property


@dataclass(frozen=True)
class Config:
    # --- reading -----------------------------------------------------------
    #: Pattern of the files to read when a folder is given (matched recursively).
    glob: str = "*.txt"
    #: Follow symbolic links to folders, and to files outside the input folder (loops
    #: are never followed).
    follow_symlinks: bool = False
    #: Files larger than this are skipped with a reason instead of being read whole.
    max_file_bytes: int = 256 * 1024 * 1024
    #: What input files hold: "auto" tells each file's kind by its name (.jsonl/.ndjson,
    #: .warc, .wet/.warc.wet, .html/.htm, else one page of text, or HTML when a file not
    #: named .txt starts like an HTML document; .gz/.zst/.bz2 on top); "txt", "jsonl",
    #: "warc", "wet" or "html" reads every file as that kind (compression still by name).
    input_format: str = "auto"
    #: JSONL input: the field holding a page's text.
    text_field: str = "text"
    #: JSONL input: the field holding a page's address (optional in each record).
    url_field: str = "url"
    #: JSONL input: the field holding a page's HTML, read as an HTML page (see `html`)
    #: instead of the text field. None: the text field, read as HTML when it is a document.
    html_field: str | None = None
    #: JSONL input: fields of each record carried to the output, in `input_fields` of the
    #: articles whose first source the record is (an input's `id` is kept always, as `input_id`).
    keep_fields: tuple[str, ...] = ()
    #: Where pages unpacked from containers are spooled while a run needs them (None:
    #: the system's temporary folder; a 5 GB WARC needs that much room there).
    spool_dir: str | None = None

    # --- near-duplicate paragraphs ------------------------------------------
    #: Two paragraphs are near-duplicates when rapidfuzz's normalised Indel similarity of
    #: their normalised texts reaches this (0-1]. Every LSH candidate is checked against
    #: it, so an LSH false positive never merges two different paragraphs.
    threshold: float = 0.8
    #: Shingle Jaccard similarity that LSH must catch (0-1]: pairs this similar become
    #: candidates with probability >= `lsh_recall`. Lower than `threshold` on purpose:
    #: Jaccard over 3-token shingles is harsh on short paragraphs (one changed word in a
    #: 20-word teaser leaves 0.7), while the Indel similarity that decides stays high.
    lsh_threshold: float = 0.5
    #: MinHash permutations. More means a more precise Jaccard estimate and more work.
    num_perm: int = 128
    #: Seed of the MinHash permutations: fixed so that output is reproducible.
    seed: int = 1
    #: Tokens per shingle. Three-token shingles tolerate a changed word in a paragraph
    #: of a dozen words or more while keeping unrelated paragraphs far apart.
    shingle_size: int = 3
    #: Paragraphs with fewer tokens than this ("Go back", "Menu") are matched by their
    #: normalised text only: a MinHash over one or two shingles says nothing.
    min_minhash_tokens: int = 5
    #: LSH bands (rows per band = num_perm // bands). None: the fewest bands that still
    #: find a pair at exactly `lsh_threshold` with probability >= `lsh_recall`.
    bands: int | None = None
    #: Recall the automatic band choice aims for at `lsh_threshold` itself (more similar
    #: pairs are found with a higher probability still).
    lsh_recall: float = 0.98
    #: How signatures and LSH candidates are computed: "numpy" (batched, fast) or
    #: "datasketch" (one MinHash object per paragraph and MinHashLSH: the reference
    #: the fast path is tested against). Both give the same clusters.
    backend: str = "numpy"

    # --- what counts as repeated ---------------------------------------------
    #: A paragraph is "repeated" when its cluster appears on at least this many pages
    #: of its page's group.
    min_repeat_pages: int = 2
    #: How pages are grouped into sites before repetition is counted (see `groups`):
    #: "auto" (the url's host when known, else the top folder), "host", "dir", "none".
    group_by: str = "auto"

    # --- segmenting -----------------------------------------------------------
    #: A line of at most this many words, not ending like a sentence, may be a title.
    max_title_words: int = 40
    #: Repeated headings of at most this many words are labels ("Related posts", "Latest
    #: news", "Share this:"), never an article's title.
    max_label_words: int = 3
    #: A line that holds a date and at most this many other words is a date line
    #: ("19.05.2021 Download document", "May 19, 2021, Dushanbe").
    date_line_max_extra_words: int = 3
    #: Articles with fewer body words are dropped as fragments (and repeated blocks with
    #: fewer words are chrome, not teasers).
    min_article_words: int = 10
    #: How a slashed date both of whose first numbers could be a month (05/11/2013) is
    #: read: "auto" (month first when the run's unambiguous slashed dates, such as
    #: 08/31/2012, are mostly month-first; else day first), "mdy" or "dmy".
    date_order: str = "auto"
    #: Dates before this year are implausible for a web page and ignored.
    min_year: int = 1995
    #: Dates after this day are ignored. None means "today" when the run starts.
    latest_date: _dt.date | None = None

    # --- running ------------------------------------------------------------------
    #: Worker processes for the two passes over the pages. None: every core.
    #: The output is the same whatever the number.
    jobs: int | None = None
    #: Bytes of memory the run aims to stay within (None: no limit). With a limit, the
    #: stages that grow with the corpus work in rounds bounded by it (LSH candidates)
    #: and look up texts from disk batch by batch instead of holding them all; what
    #: grows with the corpus otherwise lives on disk in every run (fingerprint rows,
    #: texts, article texts). Slower: for crawls that would not fit in memory.
    max_memory: int | None = None

    # --- output -----------------------------------------------------------------
    #: Detect each article's language (ISO 639-1) with py3langid.
    detect_language: bool = True

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("; ".join(problems))

    def _problems(self):
        if not 0.0 < self.threshold <= 1.0:
            yield f"threshold must be in (0, 1], got {self.threshold}"
        if not 0.0 < self.lsh_threshold <= 1.0:
            yield f"lsh_threshold must be in (0, 1], got {self.lsh_threshold}"
        if not 2 <= self.num_perm <= 4096:
            yield f"num_perm must be in [2, 4096], got {self.num_perm}"
        if self.shingle_size < 1:
            yield f"shingle_size must be >= 1, got {self.shingle_size}"
        if self.min_minhash_tokens < 1:
            yield f"min_minhash_tokens must be >= 1, got {self.min_minhash_tokens}"
        if self.bands is not None and not 1 <= self.bands <= self.num_perm:
            yield f"bands must be in [1, num_perm={self.num_perm}], got {self.bands}"
        elif self.bands is not None and self.num_perm % self.bands:
            yield f"bands must divide num_perm={self.num_perm} (rows per band = num_perm / bands), got {self.bands}"
        if not 0.0 < self.lsh_recall < 1.0:
            yield f"lsh_recall must be in (0, 1), got {self.lsh_recall}"
        if self.backend not in ("numpy", "datasketch"):
            yield f"backend must be 'numpy' or 'datasketch', got {self.backend!r}"
        if self.group_by not in ("auto", "host", "dir", "none"):
            yield f"group_by must be one of auto, host, dir, none, got {self.group_by!r}"
        if not 0 <= self.seed < 2**32:
            yield f"seed must be in [0, 4294967295] (a 32-bit seed), got {self.seed}"
        if not 1 <= self.min_year <= 9999:
            yield f"min_year must be a year in [1, 9999], got {self.min_year}"
        elif _dt.date(self.min_year, 1, 1) > (self.latest_date or _dt.date.today()):
            # every date would be implausible: each article would lose its date without a word
            latest = self.latest_date.isoformat() if self.latest_date else f"today ({_dt.date.today().isoformat()})"
            yield f"min_year must not be after latest_date {latest}, got {self.min_year}"
        if self.min_repeat_pages < 2:
            yield f"min_repeat_pages must be >= 2, got {self.min_repeat_pages}"
        if self.max_title_words < 1:
            yield f"max_title_words must be >= 1, got {self.max_title_words}"
        if self.max_label_words < 0:
            yield f"max_label_words must be >= 0, got {self.max_label_words}"
        if self.date_line_max_extra_words < 0:
            yield f"date_line_max_extra_words must be >= 0, got {self.date_line_max_extra_words}"
        if self.date_order not in ("auto", "mdy", "dmy"):
            yield f"date_order must be one of auto, mdy, dmy; got {self.date_order!r}"
        if self.min_article_words < 1:
            yield f"min_article_words must be >= 1, got {self.min_article_words}"
        if self.max_file_bytes < 1:
            yield f"max_file_bytes must be >= 1, got {self.max_file_bytes}"
        if self.max_memory is not None and self.max_memory < 256 * 1024 * 1024:
            yield f"max_memory must be at least 256M, got {self.max_memory} bytes"
        if self.jobs is not None and self.jobs < 1:
            yield f"jobs must be >= 1, got {self.jobs}"
        if self.input_format not in ("auto", "txt", "jsonl", "warc", "wet", "html"):
            yield f"input_format must be one of auto, txt, jsonl, warc, wet, html; got {self.input_format!r}"
        if self.html_field is not None and not self.html_field:
            yield "html_field must not be empty"
        if not self.text_field:
            yield "text_field must not be empty"
        if not self.url_field:
            yield "url_field must not be empty"
        if not self.glob:
            yield "glob must not be empty"

    @cached_property
    def date_window(self) -> tuple[_dt.date, _dt.date]:
        """The plausible publication dates: from 1 January of `min_year` to `latest_date`."""
        latest = self.latest_date or _dt.date.today()
        return _dt.date(self.min_year, 1, 1), latest

    @property
    def month_first(self) -> bool:
        """Whether an ambiguous slashed date is read month first (see `date_order`: the
        pipeline resolves "auto" from the run's dates before segmenting)."""
        return self.date_order == "mdy"

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


DEFAULT_CONFIG = Config()
__all__ = ["Config", "DEFAULT_CONFIG"]
