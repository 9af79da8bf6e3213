"""`corpus-clean run`: the options, one `Config` made of them, then the library's work.

The command reads its options (the settings file's values are their defaults), makes the
run's `Config` (`run_config`) and checks every output before any work is done
(`plan_run`); then cleans and writes (`clean_and_write`), writes the report file, tells
the summary and ends with the exit code the run deserves (`exit_code`; see `app`).
Its outputs are checked in `outputs`, its progress shown by `progress`; its options are
declared, each with its help, in `run_options`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from ..audit.fail_if import Gate, parse_gate
from ..audit.file_accounts import Accounts, settle
from ..audit.html_report import write_html_report
from ..audit.ledger import Block, Ledger
from ..audit.report import Report, render_summary, text_console
from ..config import Config
from ..engine.index import CorpusIndex, IndexProblem
from ..engine.local import clean
from ..io.atomic import atomic_output, folder_problem, stops_on_closed_pipe
from ..io.read import InputError
from ..io.write import write_articles
from ..records import Article
from .common import (
    EXIT_GATE,
    EXIT_NOTHING_USABLE,
    EXIT_OK,
    EXIT_SKIPPED,
    UsageProblem,
    log_line,
    param_of,
    size,
    where,
)
from .outputs import output_failure, plan_outputs, sidecar_file
from .progress import StageLog, progress_display
from .run_options import (
    BackendOption,
    BandsOption,
    ConfigFileOption,
    DateOrderOption,
    EngineOption,
    FailIfOption,
    FollowSymlinksOption,
    GlobOption,
    GroupByOption,
    HtmlFieldOption,
    IndexFileOption,
    InputFormatOption,
    JobsOption,
    KeepFieldsOption,
    LangOption,
    LatestDateOption,
    MaxFileSizeOption,
    MaxMemoryOption,
    MinArticleWordsOption,
    MinRepeatPagesOption,
    MinYearOption,
    NumPermOption,
    OldFormatOption,
    OnlyNewOption,
    OutputOption,
    PartFormatOption,
    PartitionsOption,
    PathsArgument,
    QuietOption,
    RemovedOption,
    ReportFileOption,
    SchedulerOption,
    SeedOption,
    ShardSizeOption,
    SpoolDirOption,
    TextFieldOption,
    ThresholdOption,
    UrlFieldOption,
    VerboseOption,
)

_DEFAULTS = Config()

#: run's options that set the `Config` field of another name.
FIELD_OF_OPTION = {"max_file_size": "max_file_bytes", "lang": "detect_language"}
#: run's options that are no `Config` field: what is written where, where the work runs,
#: what is told. Every other option of run is the field of its name (`FIELD_OF_OPTION`).
OPTIONS_WITHOUT_FIELD = frozenset(
    {
        "output", "shard_size", "part_format", "removed", "report_file", "fail_if",  # outputs
        "engine", "scheduler", "partitions", "index_file", "only_new",  # where the work runs
        "quiet", "verbose", "config_file",  # what is told; where the options come from
        "old_format",  # the deprecated name of --input-format
    }
)  # fmt: skip
#: `Config` fields with no option of run: tuning that a corpus rarely needs, set in code
#: (`corpus_clean.clean(paths, Config(...))`) when it does.
FIELDS_WITHOUT_OPTION = frozenset(
    {
        "lsh_threshold", "lsh_recall", "shingle_size", "min_minhash_tokens",  # LSH and shingles
        "max_title_words", "max_label_words", "date_line_max_extra_words",  # segmenting
    }
)  # fmt: skip


@stops_on_closed_pipe
def run(
    ctx: typer.Context,
    paths: PathsArgument,
    output: OutputOption = None,
    shard_size: ShardSizeOption = None,
    part_format: PartFormatOption = None,
    glob: GlobOption = _DEFAULTS.glob,
    input_format: InputFormatOption = _DEFAULTS.input_format,
    old_format: OldFormatOption = None,
    text_field: TextFieldOption = _DEFAULTS.text_field,
    url_field: UrlFieldOption = _DEFAULTS.url_field,
    html_field: HtmlFieldOption = None,
    keep_fields: KeepFieldsOption = None,
    spool_dir: SpoolDirOption = None,
    threshold: ThresholdOption = _DEFAULTS.threshold,
    num_perm: NumPermOption = _DEFAULTS.num_perm,
    bands: BandsOption = _DEFAULTS.bands,
    seed: SeedOption = _DEFAULTS.seed,
    min_repeat_pages: MinRepeatPagesOption = _DEFAULTS.min_repeat_pages,
    group_by: GroupByOption = _DEFAULTS.group_by,
    min_article_words: MinArticleWordsOption = _DEFAULTS.min_article_words,
    date_order: DateOrderOption = _DEFAULTS.date_order,
    min_year: MinYearOption = _DEFAULTS.min_year,
    latest_date: LatestDateOption = None,
    backend: BackendOption = _DEFAULTS.backend,
    jobs: JobsOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    partitions: PartitionsOption = None,
    follow_symlinks: FollowSymlinksOption = False,
    max_file_size: MaxFileSizeOption = f"{_DEFAULTS.max_file_bytes // 2**20}M",
    max_memory: MaxMemoryOption = None,
    lang: LangOption = True,
    index_file: IndexFileOption = None,
    only_new: OnlyNewOption = True,
    removed: RemovedOption = None,
    report_file: ReportFileOption = None,
    fail_if: FailIfOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    config_file: ConfigFileOption = None,
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
    config = run_config(ctx)
    plan = plan_run(ctx, config)
    console = text_console(quiet=quiet)  # the summary and progress
    report = Report()
    if verbose and not quiet:
        report.stage_seconds = StageLog(log_line)
    articles, count = clean_and_write(paths, config, report, plan, progress_display(console, verbose))
    write_report_file(plan, report, config, articles)
    render_summary(report, console, verbose)
    if quiet:  # the summary lists them; without it, one line each
        for skip in report.skipped:
            log_line(f"skipped {skip.path}: {skip.reason}" + (f" ({skip.detail})" if skip.detail else ""))
    code = exit_code(report, count, plan.gates, config, console)
    if code != EXIT_OK:
        raise typer.Exit(code)


def run_config(ctx: typer.Context) -> Config:
    """The run's `Config`, from run's options (as given, else from the settings file, else
    their defaults): each option is the field of its name (`FIELD_OF_OPTION` names the
    others), its value parsed where the command line spells it otherwise (sizes, a date, a
    list). A bad value is a usage error naming the flag, or the file and key it came from."""
    options = dict(ctx.params)
    if options.get("old_format") is not None:
        options["input_format"] = options["old_format"]
    values: dict[str, Any] = {}
    for param in ctx.command.params:
        if param.param_type_name != "option" or param.name in OPTIONS_WITHOUT_FIELD:
            continue
        values[FIELD_OF_OPTION.get(param.name, param.name)] = _field_value(ctx, param.name, options[param.name])
    try:
        return Config(**values)
    except ValueError as err:
        message = _named_as_given(str(err), ctx)
        if options.get("old_format") is not None:  # named as typed, the old name included
            message = message.replace("--input-format must", "--format must")
        raise UsageProblem(message) from None


def _field_value(ctx: typer.Context, option: str, value: Any) -> Any:
    """An option's value as its `Config` field holds it."""
    if option == "latest_date" and value:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise UsageProblem(f"{where(ctx, option)} must be a date as YYYY-MM-DD, got {value!r}") from None
    if option == "latest_date":
        return None
    if option == "max_file_size" or (option == "max_memory" and value is not None):
        n_bytes = size(value)
        if n_bytes is None:
            example = "300000, 64M or 1G" if option == "max_file_size" else "4G or 512M"
            raise UsageProblem(f"{where(ctx, option)} must be a size such as {example}, got {value!r}")
        return n_bytes
    if option == "keep_fields":
        return tuple(f.strip() for f in (value or "").split(",") if f.strip())
    if option == "spool_dir" and value is not None:
        problem = folder_problem(value)
        if problem is not None:  # it takes the run's temporary files: found now, not after the reading
            raise UsageProblem(f"{where(ctx, option)} {value}: {problem}")
        return str(value)
    return value


#: Config's fields, each named by its option
_OPTION_OF_FIELD = {name: option for option, name in FIELD_OF_OPTION.items()}


def _named_as_given(message: str, ctx: typer.Context) -> str:
    """Config's problems name its fields ("max_file_bytes must ..."): say them as the user
    gave them, the option typed or the key of the settings file."""

    def subject(match: re.Match) -> str:
        return where(ctx, _OPTION_OF_FIELD.get(match.group(1), match.group(1))) + " must"

    def mention(match: re.Match) -> str:
        name = _OPTION_OF_FIELD.get(match.group(0), match.group(0))
        return max(p.opts, key=len) if (p := param_of(ctx, name)) is not None else match.group(0)

    message = re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b(?! must\b)", mention, message)
    return re.sub(r"\b([a-z]+(?:_[a-z]+)*) must\b", subject, message)


@dataclass
class RunPlan:
    """What a run writes where and how its work runs, checked before any work is done."""

    output: Path | str | None  #: the articles' target (None: stdout)
    folder: Path | str | None  #: the folder of parts `output` names, or None
    shard_size: int | None
    part_format: str | None
    removed: Path | None
    report_file: Path | None
    gates: list[Gate]
    engine: str
    scheduler: str | None
    partitions: int | None
    index_file: Path | None
    only_new: bool
    #: the outputs in place, for the message if a later one fails
    written: list[str] = field(default_factory=list)

    @property
    def record(self) -> bool:
        """Whether the run records the fate of every line (a ledger)."""
        return self.removed is not None or self.report_file is not None or bool(self.gates)


def plan_run(ctx: typer.Context, config: Config) -> RunPlan:
    """run's options other than `Config`'s, checked: --fail-if conditions, the outputs
    (`plan_outputs`) and the engine's options. Each problem is a usage
    error (exit 2) found before any page is read."""
    p = ctx.params
    known = Report(accounts=Accounts()).metrics()
    try:
        gates = [parse_gate(text, known) for text in p["fail_if"] or ()]
    except ValueError as err:
        raise UsageProblem(f"--fail-if {err}") from None
    output, folder = plan_outputs(
        p["output"], p["removed"], p["report_file"], p["shard_size"], p["part_format"], p["paths"], config
    )
    plan = RunPlan(
        output, folder, p["shard_size"], p["part_format"], p["removed"], p["report_file"], gates,
        p["engine"], p["scheduler"], p["partitions"], p["index_file"], p["only_new"],
    )  # fmt: skip
    if plan.engine not in ("local", "dask"):
        raise UsageProblem(f"--engine must be 'local' or 'dask', got {plan.engine!r}")
    if plan.engine == "local" and (plan.scheduler is not None or plan.partitions is not None):
        raise UsageProblem("--scheduler and --partitions need --engine dask")
    if plan.engine == "dask" and (plan.record or plan.index_file is not None):
        raise UsageProblem(
            "--engine dask does not record removed lines yet: no --removed, --report, --fail-if, --index"
        )
    if plan.partitions is not None and plan.partitions < 1:
        raise UsageProblem(f"--partitions must be at least 1, got {plan.partitions}")
    return plan


def clean_and_write(
    paths: Sequence[Path | str], config: Config, report: Report, plan: RunPlan, progress_shown
) -> tuple[Sequence[Article] | Iterator[Article], int]:
    """Clean the pages and write the articles (and the removed lines) where `plan` says;
    settle the ledger first when the run is recorded, and commit the index last, once
    every article it counts as emitted is in the output. Returns the articles (a list
    when they were gathered first) and how many were written."""
    with contextlib.ExitStack() as stack:
        ledger = stack.enter_context(Ledger()) if plan.record else None
        index = None
        if plan.index_file is not None:
            try:
                index = CorpusIndex(plan.index_file, config)
            except IndexProblem as err:
                raise UsageProblem(f"--index {err}") from None
            stack.callback(index.close)  # without commit: the index stays as it was
        try:
            with progress_shown as progress:
                if plan.engine == "dask":
                    articles = _clean_on_dask(paths, config, report, progress, plan.scheduler, plan.partitions)
                elif ledger is None:
                    # written as they come, not gathered first: a million-page crawl's
                    # articles need not fit in memory (all the work is done before the first)
                    articles = _started(clean(paths, config, report, progress, ledger, index, plan.only_new))
                else:  # the ledger is settled before the output is written
                    articles = list(clean(paths, config, report, progress, ledger, index, plan.only_new))
        except InputError as err:
            raise UsageProblem(str(err)) from None
        if ledger is not None:
            _settle(ledger, report, plan, stack)
        # the sidecar is renamed into place when this block ends, with nothing left to fail
        started = time.perf_counter()
        with output_failure("--output", plan.written):
            part_format = plan.part_format if plan.folder is not None else None
            count = write_articles(articles, plan.output, plan.shard_size, part_format).count
        if plan.engine == "dask" or ledger is not None:  # articles gathered first: writing is after `clean`
            seconds = time.perf_counter() - started
            report.stage_seconds["write"] = report.stage_seconds.get("write", 0.0) + seconds
            report.seconds += seconds
        if index is not None:
            index.commit()  # only now: every article the index counts as emitted is in the output
    return articles, count


def _settle(ledger: Ledger, report: Report, plan: RunPlan, stack: contextlib.ExitStack) -> None:
    """The run's per-file accounts, from its ledger, into the report; each removed line to
    --removed, whose file is renamed into place when `stack` ends."""
    sidecar = None
    if plan.removed is not None:
        sidecar = stack.enter_context(sidecar_file("--removed", plan.removed, plan.written))

    def on_removed(block: Block) -> None:
        sidecar.write(json.dumps(block.to_dict(ledger.page_paths), ensure_ascii=False) + "\n")

    with output_failure("--removed", plan.written, done=False):
        report.accounts = settle(ledger, report.skipped, on_removed if sidecar is not None else None)


def write_report_file(plan: RunPlan, report: Report, config: Config, articles) -> None:
    """--report: the run's numbers as JSON, or as an HTML page when the name ends in .html."""
    report_file = plan.report_file
    if report_file is not None and report_file.suffix.lower() in (".html", ".htm"):
        with output_failure("--report", plan.written):
            write_html_report(report_file, report.to_dict(config), articles)
    elif report_file is not None:
        with output_failure("--report", plan.written), atomic_output(report_file) as f:
            json.dump(report.to_dict(config), f, ensure_ascii=False, indent=2)
            f.write("\n")


def exit_code(report: Report, count: int, gates: Sequence[Gate], config: Config, console: Console) -> int:
    """The run's exit code, each code but 0 told on stderr (even with --quiet): 1 nothing
    usable, 4 a --fail-if condition held, 3 some input files skipped."""
    alerts = text_console()  # what went wrong: told even with --quiet
    metrics = report.metrics()
    failed = [gate for gate in gates if gate.fails(metrics)]
    for gate in failed:
        alerts.print(f"[bold red]--fail-if {escape(gate.text)}:[/] {gate.name} is {metrics[gate.name]:.4g}")
    if report.files_found == 0:
        alerts.print(
            f"[bold red]nothing usable:[/] no file under the input paths matches --glob {escape(repr(config.glob))}"
        )
        return EXIT_NOTHING_USABLE
    if report.pages_read == 0:
        alerts.print("[bold red]nothing usable:[/] no input file could be read as a page")
        return EXIT_NOTHING_USABLE
    if count == 0 and (report.left_out_articles or report.pages_in_index):
        console.print(
            f"no new article: {report.left_out_articles} article(s) and {report.pages_in_index} page(s) "
            "are in the index already"
        )
    elif count == 0:
        alerts.print("[bold red]nothing usable:[/] no article found in the pages read")
        return EXIT_NOTHING_USABLE
    if failed:
        return EXIT_GATE
    if report.skipped:
        alerts.print(
            f"[bold yellow]{len(report.skipped)} input file(s) skipped[/] (see above); exit code {EXIT_SKIPPED}"
        )
        return EXIT_SKIPPED
    return EXIT_OK


def _started(articles: Iterator[Article]) -> Iterator[Article]:
    """The same articles, the iterator run up to its first one (or its end)."""
    for first in articles:
        return itertools.chain([first], articles)
    return iter(())


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
