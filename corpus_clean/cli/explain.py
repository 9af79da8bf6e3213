"""`corpus-clean explain`: one page of the corpus, line by line, with what became of each line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from ..audit.explain import explain_page, render_explanation
from ..config import Config
from ..io.atomic import stops_on_closed_pipe
from ..io.read import InputError
from .common import UsageProblem, from_settings, option_given
from .run import run_config

_DEFAULTS = Config()


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
    config = config_as_run(ctx, page, glob, jobs, config_file)
    try:
        explanation = explain_page(page, corpus or [page.parent], config)
    except InputError as err:
        raise UsageProblem(str(err)) from None
    render_explanation(explanation, Console(), full)


def config_as_run(
    ctx: typer.Context, page: Path, glob: str, jobs: Optional[int], config_file: Optional[Path]
) -> Config:
    """The `Config` that `run PAGE` would clean with here: run's own options, read as run
    reads them (its settings from the same file, the same checks, the same messages),
    with explain's --glob, --jobs and --config given as run's."""
    group = ctx.parent
    run_command = group.command.get_command(group, "run")
    args = [str(page)]
    if option_given(ctx, "glob"):
        args += ["--glob", glob]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    if config_file is not None:
        args += ["--config", str(config_file)]
    try:
        run_ctx = run_command.make_context("run", args, parent=group)
        return run_config(run_ctx)
    except typer.TyperException as err:  # told as explain's own error, not run's
        raise UsageProblem(from_settings(err) or err.format_message()) from None
