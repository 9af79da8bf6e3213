"""`corpus-clean index stats|prune`: inspect or trim a persistent index made by `run --index`."""

from __future__ import annotations

import datetime as _dt
import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..audit.report import text_console
from ..engine.index import IndexProblem, index_stats, prune
from ..io.atomic import stops_on_closed_pipe
from .common import Group, UsageProblem

index_app = typer.Typer(
    cls=Group, help="Inspect or trim a persistent index made by `run --index`.", no_args_is_help=True
)


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
        if key not in ("settings", "inputs"):
            table.add_row(key.replace("_", " "), str(value))
    table.add_row("settings", ", ".join(f"{k}={v}" for k, v in stats["settings"].items()))
    inputs = stats["inputs"]
    shown = lambda v: "none" if v in (None, []) else ",".join(v) if isinstance(v, list) else v  # noqa: E731
    table.add_row(
        "inputs", "not recorded" if inputs is None else ", ".join(f"{k}={shown(v)}" for k, v in inputs.items())
    )
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
