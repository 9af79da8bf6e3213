"""`corpus-clean check`: validate an output corpus, for people and for CI.

The corpus is whatever `run` wrote (see `check.corpus_files`): a file in any of its
formats, several files (shards) checked as one corpus, a folder of parts, or stdin.
Problems go to stdout, one per line (`file:line: rule: message`, GitHub annotations,
or one JSON object); the summary goes to stderr. Thresholds come from the command
line, else `[tool.corpus-clean.check]` (see `settings.py`), else `CheckSettings`'s
defaults. Exit codes: 0 no problem; 1 problems found; 2 usage error; killed by SIGPIPE
(141 in a shell) when the reader of stdout goes away, as `run` is.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..audit.check import RULES, CheckResult, CheckSettings, CorpusInputError, check_sources, corpus_files
from ..audit.report import text_console
from ..io.atomic import stops_on_closed_pipe
from ..settings import section_heading
from .common import UsageProblem, option_given, read_settings

EXIT_OK, EXIT_PROBLEMS = 0, 1
_DEFAULTS = CheckSettings()
#: The keys `[tool.corpus-clean.check]` accepts: the flags' own names.
SETTINGS_KEYS = [name.replace("_", "-") for name in CheckSettings.field_names()]


class OutputFormat(str, enum.Enum):
    text = "text"
    github = "github"
    json = "json"


def _renamed(message: str, rename) -> str:
    """CheckSettings's problems name fields ("min_chars must ..."); say it as the user wrote it."""
    return re.sub(r"\b([a-z]+(?:_[a-z]+)+) must\b", lambda m: f"{rename(m.group(1))} must", message)


def _as_date(value: Any) -> Any:
    """A YYYY-MM-DD string (command line, or a quoted TOML value) as a date; anything else as is."""
    if not isinstance(value, str):
        return value  # a TOML date is a date already; CheckSettings rejects the rest
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return value  # CheckSettings reports it, with any other bad value


def resolve_settings(ctx: typer.Context, config_file: Optional[Path], options: dict[str, Any]) -> CheckSettings:
    """Defaults, overridden by the settings file, overridden by the options given on the command line."""
    path, from_file = read_settings(ctx, config_file, "check", SETTINGS_KEYS)
    values = {key.replace("-", "_"): value for key, value in from_file.items()}
    if "latest_date" in values:
        values["latest_date"] = _as_date(values["latest_date"])
    try:
        settings = CheckSettings(**values)
    except ValueError as err:
        message = _renamed(str(err), lambda name: name.replace("_", "-"))
        raise UsageProblem(f"{path}: {section_heading(path, 'check')} {message}") from None
    given = {name: value for name, value in options.items() if value is not None}
    if "latest_date" in given:
        given["latest_date"] = _as_date(given["latest_date"])
    try:
        return replace(settings, **given)
    except ValueError as err:
        raise UsageProblem(_renamed(str(err), lambda name: "--" + name.replace("_", "-"))) from None


def _github_escape(value: str, is_property: bool = False) -> str:
    """Escape a workflow command's data (and, more strictly, its properties), as GitHub requires."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if is_property else value


def github_annotation(problem) -> str:
    """One `::error` workflow command: GitHub shows it on the file's line and in the run's summary."""
    props = [f"file={_github_escape(problem.file, True)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
    props.append(f"title={_github_escape('corpus-clean ' + problem.rule, True)}")
    return f"::error {','.join(props)}::{_github_escape(problem.message)}"


def print_problems(result: CheckResult, output_format: OutputFormat) -> None:
    if output_format is OutputFormat.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    for problem in result.problems:
        print(github_annotation(problem) if output_format is OutputFormat.github else str(problem))


def render_check_summary(result: CheckResult, console: Console) -> None:
    """The summary on stderr: what was checked, the near-duplicate rate, problems by rule."""
    settings = result.settings
    overview = Table(title="corpus-clean check", show_header=False, title_justify="left", box=None, pad_edge=False)
    overview.add_column(style="bold")
    overview.add_column(justify="right")
    overview.add_row("file", escape(result.source_name))
    overview.add_row("articles checked", str(result.articles))
    overview.add_row(
        "near-duplicates",
        f"{result.near_duplicate_articles} articles in {result.near_duplicate_pairs} "
        f"pair{'' if result.near_duplicate_pairs == 1 else 's'} "
        f"({result.near_duplicate_rate:.1%}; allowed {settings.max_near_dup_rate:.1%})",
    )
    overview.add_row("problems", str(len(result.problems)))
    console.print(overview)
    if result.ok:
        console.print("[bold green]ok:[/] no problems found")
        return
    rules = Table(title="problems by rule", title_justify="left", box=None, pad_edge=False)
    rules.add_column("rule", style="bold")
    rules.add_column("problems", justify="right")
    rules.add_column("meaning", style="dim")
    for rule, count in result.counts_by_rule().items():
        if count:
            rules.add_row(rule, str(count), RULES[rule])
    console.print(rules)
    console.print(f"[bold red]{len(result.problems)} problem(s)[/] in {escape(result.source_name)}")


# check's options, each with its help: the command reads as the list of its options

CorpusArgument = Annotated[
    list[str],
    typer.Argument(
        help="What `corpus-clean run` wrote: a file (JSONL; .gz, .bz2, .zst compressed; Parquet), "
        "its shards, a folder of parts, or - to read stdin. Several are checked as one corpus.",
        metavar="FILE|DIR|-",
        show_default=False,
    ),
]

OutputFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output-format",
        help="How problems are written on stdout: text (file:line: rule: message); github (::error "
        "annotations for GitHub Actions); json (one JSON object: problems and summary).",
    ),
]

OldFormatOption = Annotated[
    Optional[OutputFormat], typer.Option("--format", hidden=True, help="Deprecated: --output-format.")
]

MinCharsOption = Annotated[int, typer.Option(help="tiny-text: texts shorter than this.")]

NearDupThresholdOption = Annotated[
    float,
    typer.Option(help="near-duplicate: texts at least this similar, in (0, 1] (rapidfuzz Indel, after MinHash + LSH)."),
]

MaxNearDupRateOption = Annotated[
    float,
    typer.Option(
        help="near-duplicate: fail when more than this share of articles (0-1) has a near-duplicate "
        "(0: any near-duplicate fails)."
    ),
]

LeakMinArticlesOption = Annotated[
    int, typer.Option(help="leaked-chrome: a paragraph or line in at least this many distinct articles.")
]

MinYearOption = Annotated[int, typer.Option(help="bad-date: dates before 1 January of this year.")]

LatestDateOption = Annotated[
    Optional[str],
    typer.Option(help="bad-date: dates after this day (YYYY-MM-DD). Default: today.", show_default=False),
]

SettingsFileOption = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        help="Settings file (TOML with [tool.corpus-clean.check] or [check]). "
        "Default: the nearest pyproject.toml with [tool.corpus-clean].",
        show_default=False,
    ),
]

QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No summary on stderr (problems still go to stdout, errors to stderr)."),
]


@stops_on_closed_pipe
def check(
    ctx: typer.Context,
    corpus: CorpusArgument,
    output_format: OutputFormatOption = OutputFormat.text,
    old_format: OldFormatOption = None,
    min_chars: MinCharsOption = _DEFAULTS.min_chars,
    near_dup_threshold: NearDupThresholdOption = _DEFAULTS.near_dup_threshold,
    max_near_dup_rate: MaxNearDupRateOption = _DEFAULTS.max_near_dup_rate,
    leak_min_articles: LeakMinArticlesOption = _DEFAULTS.leak_min_articles,
    min_year: MinYearOption = _DEFAULTS.min_year,
    latest_date: LatestDateOption = None,
    config: SettingsFileOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check a corpus written by `corpus-clean run`: schema, duplicates, leaked chrome, dates.

    Prints one line per problem on stdout (file:line: rule: message) and a
    summary on stderr. Thresholds: the options, else [tool.corpus-clean.check] in
    pyproject.toml (keys spelt like the options: min-chars = 80), else the defaults.

    Exit codes: 0 no problems; 1 problems found; 2 usage error.
    """
    if old_format is not None:  # the name it had: it says what is written, not what is read
        print("corpus-clean check: --format is deprecated; use --output-format", file=sys.stderr)
        output_format = old_format
    # each field of CheckSettings is the option of its name; the defaults shown in --help
    # give way to the settings file, values typed do not
    given = {name: ctx.params[name] for name in CheckSettings.field_names() if option_given(ctx, name)}
    settings = resolve_settings(ctx, config, given)
    try:
        files = corpus_files(corpus)
    except CorpusInputError as err:
        raise UsageProblem(str(err)) from None
    name = " ".join("<stdin>" if argument == "-" else argument for argument in corpus)
    result = check_sources(files, name, settings)
    print_problems(result, output_format)
    sys.stdout.flush()
    render_check_summary(result, text_console(quiet=quiet))
    if not result.ok:
        raise typer.Exit(EXIT_PROBLEMS)
