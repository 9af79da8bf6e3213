"""The command line: a thin typer layer over `corpus_clean.clean`.

Data (JSONL) goes to stdout or `-o FILE`; everything for humans goes to stderr.
Exit codes: 0 articles written, every input file read; 1 nothing usable (no
readable page, or no article found); 2 usage error (bad option value, missing input
path); 3 articles written, but some input files were skipped (listed in the
summary); 4 a `--fail-if` condition held (the output is written all the same);
5 a worker process died (killed when memory ran out, most often; no output written);
6 an output could not be written (a full disk, a folder made read-only during the run;
nothing half-written is left); 130 interrupted (Ctrl-C or SIGTERM). When the reader of
stdout goes away (`| head`), the run stops and ends by SIGPIPE, as `sort` and `jq` do:
no message, exit status 141 in a shell.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import fnmatch
import itertools
import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from .._version import __version__
from ..audit.file_accounts import Accounts, settle
from ..io.atomic import (
    OutputError,
    PipeClosed,
    atomic_output,
    die_of_sigpipe,
    folder_problem,
    output_problem,
    output_target,
    stops_on_closed_pipe,
)
from ..cli.check import ROOT_CONFIG, option_given
from ..cli.check import register as register_check
from ..config import Config
from ..io.containers import STDIN, check_url_scheme, is_url
from ..engine.workers import WorkerDied
from ..audit.explain import explain_page, render_explanation
from ..audit.fail_if import parse_gate
from ..audit.html_report import write_html_report
from ..engine.index import CorpusIndex, IndexProblem, index_stats, prune
from ..audit.ledger import Block, Ledger
from ..engine.local import clean
from ..io.read import InputError
from ..records import Article
from ..audit.report import Report, render_summary, text_console
from ..settings import SettingsError, load_section, section_heading, settings_file
from ..io.write import (
    KINDS,
    PART_SIZE,
    article_schema,
    folder_kind,
    is_shard,
    output_folder,
    output_kind,
    part_name,
    part_path,
    shard_path,
    write_articles,
)

EXIT_OK, EXIT_NOTHING_USABLE, EXIT_USAGE, EXIT_SKIPPED, EXIT_GATE, EXIT_WORKER_DIED = 0, 1, 2, 3, 4, 5
EXIT_WRITE_FAILED = 6
EXIT_INTERRUPTED = 130
#: Where run keeps "FILE: [table] " when options came from a settings file, for messages.
SETTINGS_USED = "corpus_clean.settings_used"

try:  # typer's own copy of click, where it has one; else click itself
    from typer._click.globals import get_current_context as _current_context
except ImportError:  # pragma: no cover - typer without a vendored click
    from click import get_current_context as _current_context


class _Group(typer.core.TyperGroup):
    """typer's group, with help that shows what each option takes and loses no text.

    Help is rendered as rich markup, where `[dask]` or `[tool.corpus-clean]` is a tag
    and vanishes: every help text is escaped once here, so no help text needs to be.
    A flag takes no value (typer shows `<bool>`), a repeatable option takes one value
    each time (typer shows `<list[str]>`), and an argument's metavar says it all.
    With no command, the help goes to stderr and the exit code is 2, as jq and click
    do: stdout stays for data, and a script that forgot the command fails."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _tidy_help(self)

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            with contextlib.redirect_stdout(sys.stderr):
                help_text = ctx.get_help()  # rich prints it while making it
                if help_text:
                    print(help_text)
            ctx.exit(EXIT_USAGE)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except typer.TyperException as err:
            # the parser's errors (an option missing its value) come without the context
            # of the command they belong to: name the command all the same
            if getattr(err, "ctx", True) is None and not hasattr(err, "command"):
                err.command = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
            raise


def _tidy_help(command) -> None:
    """Escape the help texts of `command` and its subcommands, and tidy what their
    options show; the options typer adds when asked (--help, completion) included."""
    if getattr(command, "_help_tidied", False):
        return
    command._help_tidied = True
    if command.help:
        command.help = escape(command.help)
    params_of = command.get_params

    def get_params(ctx):
        params = params_of(ctx)
        for param in params:
            _tidy_param(param)
        return params

    command.get_params = get_params
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


def _tidy_param(param) -> None:
    if getattr(param, "_help_tidied", False):
        return
    param._help_tidied = True
    if getattr(param, "help", None):
        param.help = escape(param.help)
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
    elif param.param_type_name == "argument" and param.metavar is not None:
        param.display_type_rich = lambda ctx: None  # the metavar (PATHS...) says it
        if param.metavar.endswith("..."):
            param.get_usage_pieces = lambda ctx: [param.metavar]  # not {PATHS...}...
    elif param.param_type_name == "option" and param.metavar is None and hasattr(param, "display_type"):
        # <Path> and <path> alike; a repeatable option takes one <str> at a time
        shown = param.display_type(None).lower()
        param.metavar = re.sub(r"^<list\[(.+)\]>$", r"<\1>", shown)


app = typer.Typer(
    cls=_Group,
    name="corpus-clean",
    help="Turn a folder of scraped pages into clean JSONL of unique, dated articles.\n\n"
    "Paragraphs repeated across pages (teasers, menus, footers) are found with MinHash + LSH "
    "and verified with rapidfuzz; each page is cut into articles with a title and an ISO date; "
    "an article shown on many pages is written once, with every source listed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
_DEFAULTS = Config()


class OutputFailed(Exception):
    """An output could not be written after the work was done: one line, exit code 6."""

    def __init__(self, option: str, err: OSError, written: Sequence[str]) -> None:
        done = f"{', '.join(written)} written, the rest not" if written else "nothing was written"
        where = "the articles to stdout" if err.filename == "<stdout>" else f"{option} {err.filename}"
        super().__init__(f"cannot write {where}: {err.strerror} ({done})")


class UsageProblem(typer.TyperException):
    """A bad option value or input path: reported in one line, exit code 2, named after
    the command that was running (`corpus-clean explain: error: ...`)."""

    exit_code = EXIT_USAGE
    command = "corpus-clean"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        ctx = _current_context(silent=True)
        if ctx is not None:
            self.command = ctx.command_path


def _version(value: bool) -> None:
    if value:
        print(f"corpus-clean {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    config_file: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help="Settings file (TOML): run's options as keys of [tool.corpus-clean] (or at the top level), "
            "check's in [tool.corpus-clean.check]. Default: the nearest pyproject.toml that has that table.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Turn a folder of scraped pages into clean JSONL of unique, dated articles.

    Options of `run` can live in pyproject.toml, spelt like the flags
    (`[tool.corpus-clean]` threshold = 0.85, group-by = "dir", fail-if = ["articles<100"]);
    flags given on the command line win.
    """
    # each command reads the file itself, its own --config first (`run --config F` as
    # `check --config F`), so the root's is left for them; but a file that cannot be
    # read is an error whatever the command
    if config_file is not None and not ctx.resilient_parsing:
        try:
            load_section(None, config_file)
        except SettingsError as err:
            raise UsageProblem(str(err)) from None
    ctx.meta[ROOT_CONFIG] = config_file


def _run_settings(ctx: typer.Context, param, value: Optional[Path]) -> Optional[Path]:
    """`run --config FILE` (else the root's, else the nearest pyproject.toml): run's options
    from the file become the defaults of its options. Eager: done before any other option
    takes its default."""
    if ctx.resilient_parsing:  # shell completion: no files, no errors
        return value
    by_flag = {max(p.opts, key=len).lstrip("-"): p.name for p in ctx.command.params if p.param_type_name == "option"}
    by_flag.pop("config", None)
    try:
        path = settings_file(value if value is not None else ctx.meta.get(ROOT_CONFIG))
        from_file = load_section(None, path, valid_keys=by_flag) if path else {}
    except SettingsError as err:
        raise UsageProblem(str(err)) from None
    if from_file:
        heading = section_heading(path, None)  # "[tool.corpus-clean]", or the top-level table's words
        ctx.meta[SETTINGS_USED] = f"{path}: {heading} " if heading.startswith("[") else f"{path}: "
    # click's default map: values from the file become the defaults of run's options
    ctx.default_map = {by_flag[key]: value for key, value in from_file.items()}
    return value


def _where(ctx: typer.Context, param_name: str) -> str:
    """How to name an option's value in a message: its flag, or the settings file and key it came from."""
    param = _param(ctx, param_name)
    if param is None:
        return param_name
    flag = max(param.opts, key=len)
    source = ctx.get_parameter_source(param_name)
    if source is not None and source.name == "DEFAULT_MAP" and SETTINGS_USED in ctx.meta:
        return ctx.meta[SETTINGS_USED] + flag.lstrip("-")
    return flag


#: Config's fields whose option has another name
_OPTION_OF_FIELD = {"max_file_bytes": "max_file_size", "detect_language": "lang"}


def _named_as_given(message: str, ctx: typer.Context) -> str:
    """Config's problems name its fields ("max_file_bytes must ..."): say them as the user
    gave them, the option typed or the key of the settings file."""

    def subject(match: re.Match) -> str:
        return _where(ctx, _OPTION_OF_FIELD.get(match.group(1), match.group(1))) + " must"

    def mention(match: re.Match) -> str:
        name = _OPTION_OF_FIELD.get(match.group(0), match.group(0))
        return max(p.opts, key=len) if (p := _param(ctx, name)) is not None else match.group(0)

    message = re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b(?! must\b)", mention, message)
    return re.sub(r"\b([a-z]+(?:_[a-z]+)*) must\b", subject, message)


def _param(ctx: typer.Context, name: str):
    """The command's option of that name (None if it has none)."""
    return next((p for p in ctx.command.params if p.name == name and p.param_type_name == "option"), None)


def _flag_names(message: str) -> str:
    """Config's problems name fields ("num_perm must ..."); users know the flags."""
    return re.sub(r"\b([a-z]+(?:_[a-z]+)*) must\b", lambda m: f"--{m.group(1).replace('_', '-')} must", message)


@app.command()
@stops_on_closed_pipe
def run(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Folders (read recursively) or files of scraped pages, one page per file; or URLs "
            "(s3://bucket/crawl/, gs://..., any fsspec file system); or - for stdin (JSONL, or one page of text).",
            show_default=False,
            metavar="PATHS...",
            parser=_path_or_url,
        ),
    ],
    output: Annotated[
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
            parser=_output_path_or_url,
        ),
    ] = None,
    shard_size: Annotated[
        Optional[int],
        typer.Option(
            min=1,
            help="With -o: write files of at most this many articles, out-00000.jsonl, out-00001.jsonl, ... "
            f"With -o DIR/: articles per part (default {PART_SIZE}).",
            show_default=False,
        ),
    ] = None,
    part_format: Annotated[
        Optional[str],
        typer.Option(
            help=f"With -o DIR/: the parts' format, one of {', '.join(KINDS)}. Default: what the folder's "
            "name asks for (out.parquet/, out.jsonl.gz/), else jsonl.",
            show_default=False,
        ),
    ] = None,
    glob: Annotated[
        str,
        typer.Option(help="Which files to read inside folders (shell pattern), e.g. '*.warc.gz' or '*.jsonl*'."),
    ] = _DEFAULTS.glob,
    input_format: Annotated[
        str,
        typer.Option(
            "--input-format",
            help="What input files hold: 'auto' (by name: .jsonl/.ndjson, .warc, .wet, .html/.htm, else one page of "
            "text, or of HTML when it starts like an HTML document; .gz/.zst/.bz2 on top), or 'txt', 'jsonl', "
            "'warc', 'wet', 'html' for every file.",
        ),
    ] = _DEFAULTS.input_format,
    old_format: Annotated[
        Optional[str], typer.Option("--format", hidden=True, help="Deprecated: --input-format.")
    ] = None,
    text_field: Annotated[
        str, typer.Option(help="JSONL input: the field holding a page's text.")
    ] = _DEFAULTS.text_field,
    url_field: Annotated[
        str, typer.Option(help="JSONL input: the field holding a page's url (kept in the output's url).")
    ] = _DEFAULTS.url_field,
    html_field: Annotated[
        Optional[str],
        typer.Option(
            help="JSONL input: the field holding a page's HTML, read as an HTML page (main content, headline, "
            "date) instead of --text-field.",
            show_default=False,
        ),
    ] = None,
    keep_fields: Annotated[
        Optional[str],
        typer.Option(
            help="JSONL input: fields of each record to carry to the output, comma-separated (e.g. 'lang,crawl'): "
            "an article gets those of its first source, in input_fields. Its id is kept always, in input_id.",
            show_default=False,
        ),
    ] = None,
    spool_dir: Annotated[
        Optional[Path],
        typer.Option(
            help="Where pages unpacked from JSONL/WARC/WET files wait while the run needs them "
            "(as much room as their text). Default: the system's temporary folder.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(help="Near-duplicate similarity, in (0, 1]: paragraphs at least this similar are one cluster."),
    ] = _DEFAULTS.threshold,
    num_perm: Annotated[
        int, typer.Option(help="MinHash permutations: more is more precise and slower.")
    ] = _DEFAULTS.num_perm,
    bands: Annotated[
        Optional[int],
        typer.Option(help="LSH bands (rows = num-perm // bands). Default: chosen for --threshold.", show_default=False),
    ] = _DEFAULTS.bands,
    seed: Annotated[
        int, typer.Option(help="Seed of the MinHash permutations (fixed: output is reproducible).")
    ] = _DEFAULTS.seed,
    min_repeat_pages: Annotated[
        int, typer.Option(help="A paragraph on at least this many pages is repeated (chrome or teaser).")
    ] = _DEFAULTS.min_repeat_pages,
    group_by: Annotated[
        str,
        typer.Option(
            help="Count repetition within groups of pages (sites): 'auto' (url host if known, else top folder), "
            "'host', 'dir' (top folder), 'none' (the whole corpus).",
        ),
    ] = _DEFAULTS.group_by,
    min_article_words: Annotated[
        int, typer.Option(help="Articles with fewer body words are dropped as fragments.")
    ] = _DEFAULTS.min_article_words,
    date_order: Annotated[
        str,
        typer.Option(
            help="How to read a slashed date whose day could be a month (05/11/2013): 'auto' (month first when "
            "the run's unambiguous slashed dates such as 08/31/2012 are mostly month-first, else day first), "
            "'mdy' or 'dmy'.",
        ),
    ] = _DEFAULTS.date_order,
    min_year: Annotated[
        int, typer.Option(help="Dates before 1 January of this year are not plausible.")
    ] = _DEFAULTS.min_year,
    latest_date: Annotated[
        Optional[str],
        typer.Option(help="Dates after this day (YYYY-MM-DD) are not plausible. Default: today.", show_default=False),
    ] = None,
    backend: Annotated[
        str, typer.Option(help="Fingerprinting: 'numpy' (fast) or 'datasketch' (reference; same clusters).")
    ] = _DEFAULTS.backend,
    jobs: Annotated[
        Optional[int],
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes. Default: every core. Output is the same for any number.",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the work runs: 'local' (processes of this machine) or 'dask' (a Dask cluster; needs "
            "corpus-clean[dask]). The output is the same.",
        ),
    ] = "local",
    scheduler: Annotated[
        Optional[str],
        typer.Option(
            help="With --engine dask: the scheduler to run on (tcp://HOST:8786); its workers must see local input "
            "paths (and --spool-dir, for JSONL/WARC/WET inputs) at the same paths, and read pages at URLs "
            "themselves. Default: a local cluster of --jobs processes, started for the run.",
            show_default=False,
        ),
    ] = None,
    partitions: Annotated[
        Optional[int],
        typer.Option(
            help="With --engine dask: pieces the pages and the pairs are cut into. Default: by size.",
            show_default=False,
        ),
    ] = None,
    follow_symlinks: Annotated[
        bool, typer.Option(help="Follow links to folders, and to files outside the input folders (never loops).")
    ] = False,
    max_file_size: Annotated[
        str,
        typer.Option(
            help="Skip (with a reason) pages larger than this: bytes, or with K, M, G. Cleaning a page takes "
            "memory in proportion to it, about 25 times its size.",
        ),
    ] = f"{_DEFAULTS.max_file_bytes // 2**20}M",
    max_memory: Annotated[
        Optional[str],
        typer.Option(
            help="Aim to stay within this much memory (bytes, or with K, M, G), for crawls larger than memory: "
            "LSH candidates are then found and checked in rounds, and texts looked up from disk batch by batch "
            "(slower; at least 256M). The disk holds what memory does not, under --spool-dir.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[bool, typer.Option("--lang/--no-lang", help="Detect each article's language.")] = True,
    index_file: Annotated[
        Optional[Path],
        typer.Option(
            "--index",
            help="A persistent index (one SQLite file, made if missing): clean these pages against every page it "
            "has seen, leave out articles it has emitted, and record this run in it.",
            show_default=False,
        ),
    ] = None,
    only_new: Annotated[
        bool,
        typer.Option(
            "--only-new/--all-articles",
            help="With --index: write only articles the index has not emitted before (their new sources are "
            "recorded either way).",
        ),
    ] = True,
    removed: Annotated[
        Optional[Path],
        typer.Option(
            help="Also write every removed line as JSONL here ('-': stdout, with -o FILE): file, span, reason, "
            "text, cluster, pages it is on, matched copy and similarity. With the output it covers every input "
            "line.",
            show_default=False,
        ),
    ] = None,
    report_file: Annotated[
        Optional[Path],
        typer.Option(
            "--report",
            help="Also write the run's numbers here ('-': stdout, with -o FILE): overall, per reason, per input "
            "file, the most repeated blocks; as JSON, or as a self-contained HTML page with charts when the "
            "name ends in .html.",
            show_default=False,
        ),
    ] = None,
    fail_if: Annotated[
        Optional[list[str]],
        typer.Option(
            help="Exit with code 4 when a condition on the run's numbers holds, e.g. 'removed_frac>0.8', "
            "'articles<100' (repeatable; names: see the 'overall' section of --report).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No summary and no progress on stderr (errors and skipped files are still told)."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Also tell each stage as it ends, and the numbers behind the summary (LSH bands and candidates).",
        ),
    ] = False,
    config_file: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help="Settings file (TOML): run's options as keys of [tool.corpus-clean], or at the top level. "
            "Default: the nearest pyproject.toml that has that table.",
            show_default=False,
            is_eager=True,
            callback=_run_settings,
        ),
    ] = None,
) -> None:
    """Clean the pages under PATHS and print their unique articles as JSONL.

    One JSON object per line: id, title, date (YYYY-MM-DD or null), text, source,
    sources, lang, n_chars (see `corpus-clean schema`). A summary of what was read,
    skipped and dropped goes to stderr.

    Exit codes: 0 articles written; 1 nothing usable; 2 usage error; 3 some input
    files skipped; 4 a --fail-if condition held; 5 a worker process died (out of
    memory: see --max-memory); 6 an output could not be written; 130 interrupted;
    141 (SIGPIPE) the reader of stdout went away.
    """
    if old_format is not None:  # the name it had, which check uses for what it writes
        print("corpus-clean run: --format is deprecated; use --input-format", file=sys.stderr)
        input_format = old_format
    try:
        latest = _dt.date.fromisoformat(latest_date) if latest_date else None
    except ValueError:
        raise UsageProblem(
            f"{_where(ctx, 'latest_date')} must be a date as YYYY-MM-DD, got {latest_date!r}"
        ) from None
    max_file_bytes = _size(max_file_size)
    if max_file_bytes is None:
        raise UsageProblem(
            f"{_where(ctx, 'max_file_size')} must be a size such as 300000, 64M or 1G, got {max_file_size!r}"
        )
    max_memory_bytes = None if max_memory is None else _size(max_memory)
    if max_memory is not None and max_memory_bytes is None:
        raise UsageProblem(f"{_where(ctx, 'max_memory')} must be a size such as 4G or 512M, got {max_memory!r}")
    try:
        config = Config(
            max_file_bytes=max_file_bytes,
            max_memory=max_memory_bytes,
            glob=glob,
            input_format=input_format,
            text_field=text_field,
            url_field=url_field,
            html_field=html_field,
            keep_fields=tuple(f.strip() for f in (keep_fields or "").split(",") if f.strip()),
            spool_dir=str(spool_dir) if spool_dir is not None else None,
            threshold=threshold,
            num_perm=num_perm,
            bands=bands,
            seed=seed,
            min_repeat_pages=min_repeat_pages,
            group_by=group_by,
            min_article_words=min_article_words,
            date_order=date_order,
            min_year=min_year,
            latest_date=latest,
            backend=backend,
            jobs=jobs,
            detect_language=lang,
            follow_symlinks=follow_symlinks,
        )
    except ValueError as err:
        message = _named_as_given(str(err), ctx)
        if old_format is not None:  # named as typed, the old name included
            message = message.replace("--input-format must", "--format must")
        raise UsageProblem(message) from None
    known = Report(accounts=Accounts()).metrics()
    try:
        gates = [parse_gate(text, known) for text in fail_if or ()]
    except ValueError as err:
        raise UsageProblem(f"--fail-if {err}") from None
    output, folder = _plan_outputs(output, removed, report_file, shard_size, part_format, paths, config)
    spool_problem = folder_problem(spool_dir) if spool_dir is not None else None
    if spool_problem is not None:  # it takes the run's temporary files: found now, not after the reading
        raise UsageProblem(f"--spool-dir {spool_dir}: {spool_problem}")
    console = text_console(quiet=quiet)  # the summary and progress
    alerts = text_console()  # what went wrong: told even with --quiet
    report = Report()
    if verbose and not quiet:
        report.stage_seconds = _StageLog(_log_line)
    record = removed is not None or report_file is not None or bool(gates)
    if engine not in ("local", "dask"):
        raise UsageProblem(f"--engine must be 'local' or 'dask', got {engine!r}")
    if engine == "local" and (scheduler is not None or partitions is not None):
        raise UsageProblem("--scheduler and --partitions need --engine dask")
    if engine == "dask" and (record or index_file is not None):
        raise UsageProblem(
            "--engine dask does not record removed lines yet: no --removed, --report, --fail-if, --index"
        )
    if partitions is not None and partitions < 1:
        raise UsageProblem(f"--partitions must be at least 1, got {partitions}")
    outputs_done: list[str] = []  # the outputs in place, for the message if a later one fails
    with contextlib.ExitStack() as stack:
        ledger = stack.enter_context(Ledger()) if record else None
        index = None
        if index_file is not None:
            try:
                index = CorpusIndex(index_file, config)
            except IndexProblem as err:
                raise UsageProblem(f"--index {err}") from None
            stack.callback(index.close)  # without commit: the index stays as it was
        try:
            with _progress(console, verbose) as progress:
                if engine == "dask":
                    articles = _clean_on_dask(paths, config, report, progress, scheduler, partitions)
                elif ledger is None:
                    # written as they come, not gathered first: a million-page crawl's
                    # articles need not fit in memory (all the work is done before the first)
                    articles = _started(clean(paths, config, report, progress, ledger, index, only_new))
                else:  # the ledger is settled before the output is written
                    articles = list(clean(paths, config, report, progress, ledger, index, only_new))
        except InputError as err:
            raise UsageProblem(str(err)) from None
        if ledger is not None:
            sidecar = stack.enter_context(_written("--removed", removed, outputs_done)) if removed is not None else None

            def on_removed(block: Block) -> None:
                sidecar.write(json.dumps(block.to_dict(ledger.page_paths), ensure_ascii=False) + "\n")

            with _writing("--removed", outputs_done, done=False):
                report.accounts = settle(ledger, report.skipped, on_removed if sidecar is not None else None)
        # the sidecar is renamed into place when this block ends, with nothing left to fail
        writing = time.perf_counter()
        with _writing("--output", outputs_done):
            count = write_articles(articles, output, shard_size, part_format if folder is not None else None).count
        if engine == "dask" or ledger is not None:  # articles gathered first: writing is after `clean`
            written = time.perf_counter() - writing
            report.stage_seconds["write"] = report.stage_seconds.get("write", 0.0) + written
            report.seconds += written
        if index is not None:
            index.commit()  # only now: every article the index counts as emitted is in the output
    if report_file is not None and report_file.suffix.lower() in (".html", ".htm"):
        with _writing("--report", outputs_done):
            write_html_report(report_file, report.to_dict(config), articles)
    elif report_file is not None:
        with _writing("--report", outputs_done), atomic_output(report_file) as f:
            json.dump(report.to_dict(config), f, ensure_ascii=False, indent=2)
            f.write("\n")
    render_summary(report, console, verbose)
    if quiet:  # the summary lists them; without it, one line each
        for skip in report.skipped:
            _log_line(f"skipped {skip.path}: {skip.reason}" + (f" ({skip.detail})" if skip.detail else ""))
    metrics = report.metrics()
    failed = [gate for gate in gates if gate.fails(metrics)]
    for gate in failed:
        alerts.print(f"[bold red]--fail-if {escape(gate.text)}:[/] {gate.name} is {metrics[gate.name]:.4g}")
    if report.files_found == 0:
        alerts.print(
            f"[bold red]nothing usable:[/] no file under the input paths matches --glob {escape(repr(config.glob))}"
        )
        raise typer.Exit(EXIT_NOTHING_USABLE)
    if report.pages_read == 0:
        alerts.print("[bold red]nothing usable:[/] no input file could be read as a page")
        raise typer.Exit(EXIT_NOTHING_USABLE)
    if count == 0 and (report.left_out_articles or report.pages_in_index):
        console.print(
            f"no new article: {report.left_out_articles} article(s) and {report.pages_in_index} page(s) "
            "are in the index already"
        )
    elif count == 0:
        alerts.print("[bold red]nothing usable:[/] no article found in the pages read")
        raise typer.Exit(EXIT_NOTHING_USABLE)
    if failed:
        raise typer.Exit(EXIT_GATE)
    if report.skipped:
        alerts.print(
            f"[bold yellow]{len(report.skipped)} input file(s) skipped[/] (see above); exit code {EXIT_SKIPPED}"
        )
        raise typer.Exit(EXIT_SKIPPED)


def _started(articles: Iterator[Article]) -> Iterator[Article]:
    """The same articles, the iterator run up to its first one (or its end)."""
    for first in articles:
        return itertools.chain([first], articles)
    return iter(())


def _size(text: str) -> int | None:
    """Bytes in "300000", "64K", "64M", "1G" (powers of 1024), or None if it is not a size."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text, re.IGNORECASE)
    if match is None:
        return None
    number, unit = match.groups()
    return int(float(number) * 1024 ** " kmg".index(unit.lower() or " "))


def _path_or_url(value: str) -> Path | str:
    """A command-line path as a Path, or kept as written when it is a URL (a Path would fold
    its `//`) or `-` (stdin; `./-` is a file of that name)."""
    return value if is_url(value) or value == STDIN else Path(value)


def _output_path_or_url(value: str) -> Path | str:
    """As `_path_or_url`, but a name ending in / stays as written: it asks for a folder of parts."""
    return value if value.endswith(("/", os.sep)) else _path_or_url(value)


def _plan_outputs(
    output: Path | str | None,
    removed: Path | None,
    report_file: Path | None,
    shard_size: int | None,
    part_format: str | None,
    paths: Sequence[Path | str],
    config: Config,
) -> tuple[Path | str | None, Path | str | None]:
    """Check every output before any work is done, each problem one line (exit 2): its
    name asks for a format that is written; at most one output goes to stdout; none
    overwrites an input or lands where the next run would read it; each can be created
    (its folder exists and takes new files, a folder of parts can be made). Returns the
    articles' target (None: stdout) and the folder of parts it names (or None)."""
    if output is not None and os.fspath(output) == "-":
        output = None
    on_stdout = ["the articles" + (" (no -o)" if output is None else "")] if output is None else []
    for option, target in (("--output", output), ("--removed", removed), ("--report", report_file)):
        if target is not None and not is_url(target) and output_target(target).is_stdout:
            on_stdout.append(f"{option} {target}")
    if len(on_stdout) > 1:
        every = "both" if len(on_stdout) == 2 else "all"
        raise UsageProblem(f"{' and '.join(on_stdout)} would {every} write to stdout; send all but one to files")
    if shard_size is not None and output is None:
        raise UsageProblem("--shard-size needs --output (stdout is one stream)")
    if part_format is not None and part_format not in KINDS:
        raise UsageProblem(f"--part-format must be one of {', '.join(KINDS)}, got {part_format!r}")
    folder = output_folder(output)
    kind = "jsonl"
    try:
        if folder is None:
            output_kind(output)
        else:
            kind = folder_kind(folder, part_format)
    except ValueError as err:
        raise UsageProblem(f"--output {err}") from None
    if part_format is not None and folder is None:
        raise UsageProblem(
            f"--part-format is for a folder of parts (-o DIR/); the name of {output or 'stdout'} sets its format"
        )
    stream = output is not None and not is_url(output) and folder is None and output_target(output).is_stream
    if stream and shard_size is not None:
        raise UsageProblem(f"--shard-size needs a file: --output {output} is a stream and cannot be split")
    # a sharded local output is checked as its first file, and none of its files (those
    # written now, and an earlier run's, deleted now) may be an input
    shards_of: Path | None = None
    if isinstance(folder, Path):
        if folder.exists() and not folder.is_dir():
            raise UsageProblem(f"--output {output}: is a file; a name ending in / is a folder to write parts in")
        problem = folder_problem(folder, make=True)
        if problem is not None:
            raise UsageProblem(f"--output {output}: {problem}")
        first_file, shards_of = part_path(folder, 0, kind), folder / part_name(kind)
    elif folder is not None:
        first_file = part_path(folder, 0, kind)  # a URL
    elif output is not None and not is_url(output) and shard_size is not None:
        first_file, shards_of = shard_path(output, 0), output
    else:
        first_file = output
    targets = {"--output": first_file, "--removed": removed, "--report": report_file}
    files = {}
    for option, target in targets.items():
        if target is None or (not is_url(target) and output_target(target).is_stream):
            problem = None if target is None or is_url(target) else output_problem(target)
            if problem is not None:  # stdout closed, a device that is not writable
                raise UsageProblem(f"{option} {target}: {problem}")
            continue  # nothing to overwrite, nothing to rename, nothing a next run reads
        is_parts = option == "--output" and folder is not None
        shards = shards_of if option == "--output" else None
        _check_output(option, target, paths, config, in_new_folder=is_parts, shards_of=shards)
        problem = None if is_url(target) or is_parts else output_problem(target)
        if problem is not None:
            raise UsageProblem(f"{option} {target}: {problem}")
        files[option] = target if is_url(target) else output_target(target).path
    if len(set(files.values())) < len(files):
        raise UsageProblem("--output, --removed and --report must name different files")
    return output, folder


@contextlib.contextmanager
def _writing(option: str, written: list[str], done: bool = True) -> Iterator[None]:
    """A failed write of this output (OutputError) becomes OutputFailed (exit 6); with
    `done`, the output counts as written when the block ends."""
    try:
        yield
    except OutputError as err:
        raise OutputFailed(option, err, written) from None
    if done:
        written.append(option)


@contextlib.contextmanager
def _written(option: str, target: Path, written: list[str]) -> Iterator:
    """`atomic_output` for a sidecar output, whose failure (to open, or to be renamed into
    place at the end of the block) is OutputFailed."""
    with _writing(option, written), atomic_output(target) as f:
        yield f


def _check_output(
    option: str,
    output: Path | str,
    paths: Sequence[Path | str],
    config: Config,
    in_new_folder: bool = False,
    shards_of: Path | None = None,
) -> None:
    """Refuse an output that would overwrite an input, or be read as input next time.

    `in_new_folder`: the output's folder is made if missing (parts in a folder).
    `shards_of`: the output is the first shard of this name, whose other shards (written
    now, or of an earlier run and deleted now) must not be inputs either.
    A URL is only checked for a file system fsspec knows: looking further would mean
    network calls (and credentials) before any work is done."""
    if isinstance(output, str):
        try:
            check_url_scheme(output)
        except ValueError as err:
            raise UsageProblem(f"{option} {err}") from None
        return
    if output.is_dir():
        raise UsageProblem(f"{option} {output}: is a folder; give a file name")
    if not in_new_folder and output.parent.exists() and not output.parent.is_dir():
        raise UsageProblem(f"{option} {output}: {output.parent} is a file, not a folder")
    if not in_new_folder and not output.parent.is_dir():
        raise UsageProblem(f"{option} {output}: folder {output.parent} does not exist")
    target = output.resolve()
    shard_folder = shards_of.resolve().parent if shards_of is not None else None
    for path in paths:
        if isinstance(path, str):
            continue  # a URL input: never the same file as a local output
        source = path.resolve()
        in_folder = path.is_dir() and source in target.parents and fnmatch.fnmatchcase(target.name, config.glob)
        a_shard = shards_of is not None and source.parent == shard_folder and is_shard(source.name, shards_of)
        if source == target or a_shard or (in_folder and target.exists()):
            raise UsageProblem(f"{option} {output}: is an input file; write the output elsewhere")
        if in_folder:
            raise UsageProblem(
                f"{option} {output}: is inside input folder {path} and matches --glob {config.glob!r}, "
                "so the next run would read it as a page; write it elsewhere"
            )


def _clean_on_dask(paths, config: Config, report: Report, progress, scheduler: str | None, partitions: int | None):
    """The articles, from the Dask engine: on the given scheduler, else on a local cluster."""
    try:
        from ..engine.dask import clean_dask
    except ImportError as err:
        raise UsageProblem(f"--engine dask: {err}") from None
    if scheduler is None:
        return clean_dask(paths, config, report, partitions=partitions, progress=progress)
    from distributed import Client

    try:
        client = Client(scheduler, set_as_default=False, timeout="30s")
    except (OSError, TimeoutError) as err:
        raise UsageProblem(f"--scheduler {scheduler}: cannot connect ({err})") from None
    with client:
        return clean_dask(paths, config, report, client=client, partitions=partitions, progress=progress)


def _log_line(text: str) -> None:
    print(f"corpus-clean: {text}", file=sys.stderr, flush=True)


#: Seconds between two progress lines on a stderr that is not a terminal.
PROGRESS_EVERY = 10.0


class _ProgressLines:
    """Progress for a stderr that is not a terminal (a log file, CI, nohup): a plain line at
    most every `every` seconds, none in a run shorter than that; with `verbose`, a line
    as each stage starts too. `clock` is there for tests, which must not sleep."""

    def __init__(self, write, every: float = PROGRESS_EVERY, verbose: bool = False, clock=time.monotonic) -> None:
        self.write, self.every, self.verbose, self.clock = write, every, verbose, clock
        self.last = clock()
        self.stages: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.verbose and stage not in self.stages:
            self.stages.add(stage)
            self.write(f"{stage}: {total} to do")
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.write(f"{stage} {done}/{total}" + (f" ({done / total:.0%})" if total else ""))


class _StageLog(dict):
    """`Report.stage_seconds` that tells each stage as it ends (`-v`)."""

    def __init__(self, write) -> None:
        super().__init__()
        self.write = write

    def __setitem__(self, stage: str, seconds: float) -> None:
        super().__setitem__(stage, seconds)
        if getattr(self, "write", None) is not None:
            self.write(f"{stage}: done after {seconds:.1f} s")


@contextlib.contextmanager
def _progress(console: Console, verbose: bool = False):
    """Progress on stderr: a bar per pass on a terminal, else a plain line now and then."""
    if console.quiet:
        yield None
        return
    if not console.is_terminal:
        yield _ProgressLines(_log_line, PROGRESS_EVERY, verbose)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description:12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        # the bar's refresh thread starts with the first update, after the run has forked
        # its workers: a fork copies the locks that other threads hold, held for ever
        if not tasks:
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


@app.command()
@stops_on_closed_pipe
def explain(
    ctx: typer.Context,
    page: Annotated[Path, typer.Argument(help="The page to show (a file of the corpus).", show_default=False)],
    corpus: Annotated[
        Optional[list[Path]],
        typer.Option(
            help="The corpus the page belongs to (repeatable). Default: the page's folder.", show_default=False
        ),
    ] = None,
    glob: Annotated[str, typer.Option(help="Which files to read inside folders (shell pattern).")] = _DEFAULTS.glob,
    full: Annotated[bool, typer.Option("--full", help="Show long lines whole instead of cut to the width.")] = False,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", help="Worker processes. Default: every core.", show_default=False)
    ] = None,
    config_file: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help="Settings file whose run settings ([tool.corpus-clean]) the corpus is cleaned with, as run "
            "would. Default: the nearest pyproject.toml that has that table.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show one page line by line with what became of each line.

    The corpus is cleaned as `run` would, with run's settings from the settings file,
    then each line of PAGE is shown with its fate: kept in article N (title or text), a
    copy of an article kept from another page, or dropped and why (repeated chrome on
    k pages, a file name, a date line, ...).
    """
    if not page.is_file():
        raise UsageProblem(f"{page}: no such file")
    try:
        Config(glob=glob, jobs=jobs)
    except ValueError as err:
        raise UsageProblem(_flag_names(str(err))) from None
    values, path = _cleaning_settings(config_file if config_file is not None else ctx.meta.get(ROOT_CONFIG))
    if option_given(ctx, "glob") or "glob" not in values:
        values["glob"] = glob
    try:
        config = Config(**values, jobs=jobs)
    except ValueError as err:  # a value of the file: named as its key
        keys = re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b", lambda m: m.group(1).replace("_", "-"), str(err))
        raise UsageProblem(f"{path}: {keys}") from None
    try:
        explanation = explain_page(page, corpus or [page.parent], config)
    except InputError as err:
        raise UsageProblem(str(err)) from None
    render_explanation(explanation, Console(), full)


#: run's settings that shape the cleaning but are not the Config field of their name
_FIELD_OF_KEY = {"lang": "detect_language", "max-file-size": "max_file_bytes", "format": "input_format"}


def _cleaning_settings(config_file: Path | None) -> tuple[dict, Path | None]:
    """run's settings from the settings file that shape the cleaning, as Config fields (and
    the file), for `explain` to clean a corpus as `run` does in the same project. Where
    the work runs (jobs, spool, memory) and what is written are left out: they change no
    fate of a line."""
    try:
        path = settings_file(config_file)
        table = load_section(None, path) if path else {}
    except SettingsError as err:
        raise UsageProblem(str(err)) from None
    fields = set(Config.field_names()) - {"jobs", "spool_dir", "max_memory"}
    values: dict = {}
    for key, value in table.items():
        name = _FIELD_OF_KEY.get(key, key.replace("-", "_"))
        if name not in fields:
            continue
        if name == "max_file_bytes":
            value = _size(str(value))
            if value is None:
                raise UsageProblem(f"{path}: {key} must be a size such as 300000, 64M or 1G, got {table[key]!r}")
        elif name == "latest_date" and isinstance(value, str):
            try:
                value = _dt.date.fromisoformat(value)
            except ValueError:
                raise UsageProblem(f"{path}: {key} must be a date as YYYY-MM-DD, got {value!r}") from None
        default = getattr(_DEFAULTS, name)
        kind = float if isinstance(default, float) else type(default)
        if default is not None and not isinstance(value, (kind, int) if kind is float else kind):
            raise UsageProblem(f"{path}: {key} must be of type {kind.__name__}, got {value!r}")
        values[name] = value
    return values, path


index_app = typer.Typer(
    cls=_Group, help="Inspect or trim a persistent index made by `run --index`.", no_args_is_help=True
)
app.add_typer(index_app, name="index")


class StatsFormat(str, enum.Enum):
    text = "text"
    json = "json"


@index_app.command("stats")
@stops_on_closed_pipe
def index_stats_command(
    file: Annotated[Path, typer.Argument(help="The index file.", show_default=False)],
    output_format: Annotated[
        StatsFormat, typer.Option("--output-format", help="text (a table) or json (one JSON object).")
    ] = StatsFormat.text,
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="Deprecated: --output-format json.")] = False,
) -> None:
    """What an index holds: runs, pages, texts, clusters, articles, and its settings."""
    if as_json:  # named as check names it now
        print("corpus-clean index stats: --json is deprecated; use --output-format json", file=sys.stderr)
        output_format = StatsFormat.json
    if not file.is_file():
        raise UsageProblem(f"{file}: no such index file")
    try:
        stats = index_stats(file)
    except IndexProblem as err:
        raise UsageProblem(str(err)) from None
    if output_format is StatsFormat.json:
        print(json.dumps(stats, indent=2))
        return
    from rich.table import Table

    table = Table(title=str(file), show_header=False, title_justify="left", box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in stats.items():
        if key != "settings":
            table.add_row(key.replace("_", " "), str(value))
    table.add_row("settings", ", ".join(f"{k}={v}" for k, v in stats["settings"].items()))
    text_console(stderr=False).print(table)


@index_app.command("prune")
def index_prune_command(
    file: Annotated[Path, typer.Argument(help="The index file.", show_default=False)],
    before: Annotated[
        str, typer.Option(help="Forget pages seen, and articles first emitted, before this day (YYYY-MM-DD).")
    ],
) -> None:
    """Forget what runs before a day saw: chrome counts then follow the site as it is now.

    Articles first emitted before that day are forgotten too, so they would be written
    again if they reappeared.
    """
    if not file.is_file():
        raise UsageProblem(f"{file}: no such index file")
    try:
        day = _dt.date.fromisoformat(before)
    except ValueError:
        raise UsageProblem(f"--before must be a date as YYYY-MM-DD, got {before!r}") from None
    try:
        removed = prune(file, day)
    except IndexProblem as err:
        raise UsageProblem(str(err)) from None
    print(f"pruned {removed['pages']} pages, {removed['texts']} texts, {removed['articles']} articles", file=sys.stderr)


@app.command()
@stops_on_closed_pipe
def schema() -> None:
    """Print the JSON Schema of one output line."""
    import json

    print(json.dumps(article_schema(), indent=2, ensure_ascii=False))


register_check(app)


def _terminate(signum, frame) -> None:
    # SIGTERM ends the run like Ctrl-C: temporary files are removed, no partial output
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors are one line on stderr and exit code 2.

    The SIGTERM handler it sets is put back as it was when it returns: a process that
    calls `main` (a test, a script) would otherwise keep it, and so would every process
    it forks later, where a SIGTERM then asks for an exception instead of ending it (a
    process blocked outside Python never takes it, and `Pool.terminate` waits on such a
    worker for ever)."""
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        _main(argv)
    finally:  # (None: a handler set outside Python, which is the default's)
        signal.signal(signal.SIGTERM, before if before is not None else signal.SIG_DFL)


def _main(argv: list[str] | None) -> None:
    try:
        code = app(args=argv, prog_name="corpus-clean", standalone_mode=False)
    except typer.TyperException as err:
        # typer's own parse errors (UsageError) carry the command's context
        ctx = getattr(err, "ctx", None)
        where = ctx.command_path if ctx is not None else getattr(err, "command", "corpus-clean")
        if getattr(err, "possibilities", None) and ctx is not None:  # suggest no deprecated name
            hidden = {name for p in ctx.command.params if getattr(p, "hidden", False) for name in p.opts}
            err.possibilities = [name for name in err.possibilities if name not in hidden]
        print(f"{where}: error: {_from_settings(err) or err.format_message()} (see '{where} --help')", file=sys.stderr)
        sys.exit(getattr(err, "exit_code", EXIT_USAGE))
    except (KeyboardInterrupt, typer.Abort):
        _exit_interrupted()
    except WorkerDied as err:
        print(f"corpus-clean: error: {err} No output file was written.", file=sys.stderr)
        sys.exit(EXIT_WORKER_DIED)
    except OutputFailed as err:
        print(f"corpus-clean: error: {err}", file=sys.stderr)
        sys.exit(EXIT_WRITE_FAILED)
    except PipeClosed:
        # the reader went away (| head): everything is cleaned up by now; end as a filter does
        die_of_sigpipe()
    if code == EXIT_INTERRUPTED:  # typer turns KeyboardInterrupt into this code
        _exit_interrupted()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _from_settings(err: typer.TyperException) -> str | None:
    """A value of the settings file that is not of its option's type, said with the file and key."""
    ctx, param = getattr(err, "ctx", None), getattr(err, "param", None)
    if ctx is None or param is None or SETTINGS_USED not in ctx.meta:
        return None
    source = ctx.get_parameter_source(param.name)
    if source is None or source.name != "DEFAULT_MAP":
        return None
    value = (ctx.default_map or {}).get(param.name)
    return f"{ctx.meta[SETTINGS_USED]}{max(param.opts, key=len).lstrip('-')} = {value!r} is not valid: {err.message}"


def _exit_interrupted() -> None:
    print("corpus-clean: interrupted; no output file was written", file=sys.stderr)
    # When the last string that Python compiled and ran (`exec`, `eval`: dataclasses
    # make their methods so, at a module's first import; typer reads annotations so)
    # was cut by a KeyboardInterrupt, `python -m` ends the process at exit by SIGINT
    # whatever its exit code (its flag for an interrupt that nobody caught, which a
    # caught one leaves set). A SIGTERM to a run in its first second came out so (-2)
    # in about 1 run of 10. Running one more string resets the flag.
    exec("pass")
    sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
