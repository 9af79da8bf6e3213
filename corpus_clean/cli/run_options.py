"""`corpus-clean run`'s options, each with its help: one annotated type per option.

`run` takes each as the type of the parameter of its name; the defaults stay in `run`'s
signature, where most are read from `Config()`. Declared apart so that the command itself
reads as the list of its options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..io.write import KINDS, PART_SIZE
from .common import output_path_or_url, path_or_url, settings_as_defaults

PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Folders (read recursively) or files of scraped pages, one page per file; or URLs "
        "(s3://bucket/crawl/, gs://..., any fsspec file system); or - for stdin (JSONL, or one page of text).",
        show_default=False,
        metavar="PATHS...",
        parser=path_or_url,
    ),
]

OutputOption = Annotated[
    Optional[Path],
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically; through a link to its target; straight into a device or "
        "FIFO) instead of stdout ('-'), or to a URL (s3://..., any fsspec file system). The name sets the "
        "format: .parquet; JSONL compressed by .gz, .bz2, .zst; else JSONL. A folder (an existing one, or "
        "a name ending in /: out/) gets parts out/part-00000.jsonl, ... of --shard-size articles "
        f"({PART_SIZE} by default), made if missing, in the format its name asks for (out.parquet/) or "
        "--part-format.",
        show_default=False,
        parser=output_path_or_url,
    ),
]

ShardSizeOption = Annotated[
    Optional[int],
    typer.Option(
        min=1,
        help="With -o: write files of at most this many articles, out-00000.jsonl, out-00001.jsonl, ... "
        f"With -o DIR/: articles per part (default {PART_SIZE}).",
        show_default=False,
    ),
]

PartFormatOption = Annotated[
    Optional[str],
    typer.Option(
        help=f"With -o DIR/: the parts' format, one of {', '.join(KINDS)}. Default: what the folder's "
        "name asks for (out.parquet/, out.jsonl.gz/), else jsonl.",
        show_default=False,
    ),
]

GlobOption = Annotated[
    str,
    typer.Option(help="Which files to read inside folders (shell pattern), e.g. '*.warc.gz' or '*.jsonl*'."),
]

InputFormatOption = Annotated[
    str,
    typer.Option(
        "--input-format",
        help="What input files hold: 'auto' (by name: .jsonl/.ndjson, .warc, .wet, .html/.htm, else one page of "
        "text, or of HTML when it starts like an HTML document; .gz/.zst/.bz2 on top), or 'txt', 'jsonl', "
        "'warc', 'wet', 'html' for every file.",
    ),
]

OldFormatOption = Annotated[Optional[str], typer.Option("--format", hidden=True, help="Deprecated: --input-format.")]

TextFieldOption = Annotated[str, typer.Option(help="JSONL input: the field holding a page's text.")]

UrlFieldOption = Annotated[
    str, typer.Option(help="JSONL input: the field holding a page's url (kept in the output's url).")
]

HtmlFieldOption = Annotated[
    Optional[str],
    typer.Option(
        help="JSONL input: the field holding a page's HTML, read as an HTML page (main content, headline, "
        "date) instead of --text-field.",
        show_default=False,
    ),
]

KeepFieldsOption = Annotated[
    Optional[str],
    typer.Option(
        help="JSONL input: fields of each record to carry to the output, comma-separated (e.g. 'lang,crawl'): "
        "an article gets those of its first source, in input_fields. Its id is kept always, in input_id.",
        show_default=False,
    ),
]

SpoolDirOption = Annotated[
    Optional[Path],
    typer.Option(
        help="Where pages unpacked from JSONL/WARC/WET files wait while the run needs them "
        "(as much room as their text). Default: the system's temporary folder.",
        show_default=False,
    ),
]

ThresholdOption = Annotated[
    float,
    typer.Option(help="Near-duplicate similarity, in (0, 1]: paragraphs at least this similar are one cluster."),
]

NumPermOption = Annotated[int, typer.Option(help="MinHash permutations: more is more precise and slower.")]

BandsOption = Annotated[
    Optional[int],
    typer.Option(help="LSH bands (rows = num-perm // bands). Default: chosen for --threshold.", show_default=False),
]

SeedOption = Annotated[int, typer.Option(help="Seed of the MinHash permutations (fixed: output is reproducible).")]

MinRepeatPagesOption = Annotated[
    int, typer.Option(help="A paragraph on at least this many pages is repeated (chrome or teaser).")
]

GroupByOption = Annotated[
    str,
    typer.Option(
        help="Count repetition within groups of pages (sites): 'auto' (url host if known, else top folder), "
        "'host', 'dir' (top folder), 'none' (the whole corpus).",
    ),
]

MinArticleWordsOption = Annotated[int, typer.Option(help="Articles with fewer body words are dropped as fragments.")]

DateOrderOption = Annotated[
    str,
    typer.Option(
        help="How to read a slashed date whose day could be a month (05/11/2013): 'auto' (month first when "
        "the run's unambiguous slashed dates such as 08/31/2012 are mostly month-first, else day first), "
        "'mdy' or 'dmy'.",
    ),
]

MinYearOption = Annotated[int, typer.Option(help="Dates before 1 January of this year are not plausible.")]

LatestDateOption = Annotated[
    Optional[str],
    typer.Option(help="Dates after this day (YYYY-MM-DD) are not plausible. Default: today.", show_default=False),
]

BackendOption = Annotated[
    str, typer.Option(help="Fingerprinting: 'numpy' (fast) or 'datasketch' (reference; same clusters).")
]

JobsOption = Annotated[
    Optional[int],
    typer.Option(
        "--jobs",
        "-j",
        help="Worker processes. Default: every core. Output is the same for any number.",
        show_default=False,
    ),
]

EngineOption = Annotated[
    str,
    typer.Option(
        help="Where the work runs: 'local' (processes of this machine) or 'dask' (a Dask cluster; needs "
        "corpus-clean[dask]). The output is the same.",
    ),
]

SchedulerOption = Annotated[
    Optional[str],
    typer.Option(
        help="With --engine dask: the scheduler to run on (tcp://HOST:8786); its workers must see local input "
        "paths (and --spool-dir, for JSONL/WARC/WET inputs) at the same paths, and read pages at URLs "
        "themselves. Default: a local cluster of --jobs processes, started for the run.",
        show_default=False,
    ),
]

PartitionsOption = Annotated[
    Optional[int],
    typer.Option(
        help="With --engine dask: pieces the pages and the pairs are cut into. Default: by size.",
        show_default=False,
    ),
]

FollowSymlinksOption = Annotated[
    bool, typer.Option(help="Follow links to folders, and to files outside the input folders (never loops).")
]

MaxFileSizeOption = Annotated[
    str,
    typer.Option(
        help="Skip (with a reason) pages larger than this: bytes, or with K, M, G. Cleaning a page takes "
        "memory in proportion to it, about 25 times its size.",
    ),
]

MaxMemoryOption = Annotated[
    Optional[str],
    typer.Option(
        help="Aim to stay within this much memory (bytes, or with K, M, G), for crawls larger than memory: "
        "LSH candidates are then found and checked in rounds, and texts looked up from disk batch by batch "
        "(slower; at least 256M). The disk holds what memory does not, under --spool-dir.",
        show_default=False,
    ),
]

LangOption = Annotated[bool, typer.Option("--lang/--no-lang", help="Detect each article's language.")]

IndexFileOption = Annotated[
    Optional[Path],
    typer.Option(
        "--index",
        help="A persistent index (one SQLite file, made if missing): clean these pages against every page it "
        "has seen, leave out articles it has emitted, and record this run in it.",
        show_default=False,
    ),
]

OnlyNewOption = Annotated[
    bool,
    typer.Option(
        "--only-new/--all-articles",
        help="With --index: write only articles the index has not emitted before (their new sources are "
        "recorded either way).",
    ),
]

RemovedOption = Annotated[
    Optional[Path],
    typer.Option(
        help="Also write every removed line as JSONL here ('-': stdout, with -o FILE): file, span, reason, "
        "text, cluster, pages it is on, matched copy and similarity. With the output it covers every input "
        "line.",
        show_default=False,
    ),
]

ReportFileOption = Annotated[
    Optional[Path],
    typer.Option(
        "--report",
        help="Also write the run's numbers here ('-': stdout, with -o FILE): overall, per reason, per input "
        "file, the most repeated blocks; as JSON, or as a self-contained HTML page with charts when the "
        "name ends in .html.",
        show_default=False,
    ),
]

FailIfOption = Annotated[
    Optional[list[str]],
    typer.Option(
        help="Exit with code 4 when a condition on the run's numbers holds, e.g. 'removed_frac>0.8', "
        "'articles<100' (repeatable; names: see the 'overall' section of --report).",
        show_default=False,
    ),
]

QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No summary and no progress on stderr (errors and skipped files are still told)."
    ),
]

VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Also tell each stage as it ends, and the numbers behind the summary (LSH bands and candidates).",
    ),
]

ConfigFileOption = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        help="Settings file (TOML): run's options as keys of [tool.corpus-clean], or at the top level. "
        "Default: the nearest pyproject.toml that has that table.",
        show_default=False,
        is_eager=True,
        callback=settings_as_defaults,
    ),
]
