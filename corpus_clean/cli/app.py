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

import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .._version import __version__
from ..engine.workers import WorkerDied
from ..io.atomic import PipeClosed, die_of_sigpipe, stops_on_closed_pipe
from ..io.write import article_schema
from ..settings import SettingsError, load_section
from .check import check
from .common import (
    EXIT_GATE,
    EXIT_INTERRUPTED,
    EXIT_NOTHING_USABLE,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    EXIT_WORKER_DIED,
    EXIT_WRITE_FAILED,
    ROOT_CONFIG,
    Group,
    OutputFailed,
    UsageProblem,
    from_settings,
)
from .explain import explain
from .index import index_app
from .run import run

__all__ = [
    "EXIT_GATE", "EXIT_INTERRUPTED", "EXIT_NOTHING_USABLE", "EXIT_OK", "EXIT_SKIPPED", "EXIT_USAGE",
    "EXIT_WORKER_DIED", "EXIT_WRITE_FAILED", "app", "main",
]  # fmt: skip


app = typer.Typer(
    cls=Group,
    name="corpus-clean",
    help="Turn a folder of scraped pages into clean JSONL of unique, dated articles.\n\n"
    "Paragraphs repeated across pages (teasers, menus, footers) are found with MinHash + LSH "
    "and verified with rapidfuzz; each page is cut into articles with a title and an ISO date; "
    "an article shown on many pages is written once, with every source listed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


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


app.command()(run)
app.command()(explain)
app.add_typer(index_app, name="index")


@app.command()
@stops_on_closed_pipe
def schema() -> None:
    """Print the JSON Schema of one output line."""
    print(json.dumps(article_schema(), indent=2, ensure_ascii=False))


app.command()(check)


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
        print(f"{where}: error: {from_settings(err) or err.format_message()} (see '{where} --help')", file=sys.stderr)
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


def _exit_interrupted() -> None:
    print("corpus-clean: interrupted; no output file was written", file=sys.stderr)
    # When the last string that Python compiled and ran (`exec`, `eval`: dataclasses
    # make their methods so, at a module's first import; typer reads annotations so)
    # was cut by a KeyboardInterrupt, `python -m` ends the process at exit by SIGINT
    # whatever its exit code (its flag for an interrupt that nobody caught, which a
    # caught one leaves set): a SIGTERM early in a run would end it by SIGINT (-2), not
    # with this exit code. Running one more string resets the flag.
    exec("pass")
    sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
