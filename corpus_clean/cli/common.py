"""What every command shares: exit codes, usage errors, help that loses no text, the
settings file, and the small parsers of option values.

Kept apart from `app` (which registers the commands) so that each command's module can
use them without importing the module that imports it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape

from ..io.listing import STDIN
from ..io.remote import is_url
from ..settings import SettingsError, load_section, section_heading, settings_file

EXIT_OK, EXIT_NOTHING_USABLE, EXIT_USAGE, EXIT_SKIPPED, EXIT_GATE, EXIT_WORKER_DIED = 0, 1, 2, 3, 4, 5
EXIT_WRITE_FAILED = 6
EXIT_INTERRUPTED = 130
#: Where a command keeps "FILE: [table] " when options came from a settings file, for messages.
SETTINGS_USED = "corpus_clean.settings_used"
#: Where `corpus-clean --config FILE COMMAND` leaves FILE for the command (in the context's meta).
ROOT_CONFIG = "corpus_clean.config_file"

try:  # typer's own copy of click, where it has one; else click itself
    from typer._click.globals import get_current_context as _current_context
except ImportError:  # pragma: no cover - typer without a vendored click
    from click import get_current_context as _current_context


class Group(typer.core.TyperGroup):
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


def option_given(ctx: typer.Context, name: str) -> bool:
    """Whether an option's value was given (command line, environment), not a default."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def read_settings(
    ctx: typer.Context, config_file: Optional[Path], section: str | None, valid_keys: Collection[str]
) -> tuple[Path | None, dict[str, Any]]:
    """A command's settings: its table of the settings file (`--config FILE` of the
    command, else of the root, else the nearest pyproject.toml), checked against the keys
    it accepts. The one place every command finds its file and reads it; where the values
    came from is kept in the context, for messages that name a value by file and key."""
    try:
        path = settings_file(config_file if config_file is not None else ctx.meta.get(ROOT_CONFIG))
        values = load_section(section, path, valid_keys=valid_keys) if path else {}
    except SettingsError as err:
        raise UsageProblem(str(err)) from None
    if values:
        heading = section_heading(path, section)  # "[tool.corpus-clean]", or the top-level table's words
        ctx.meta[SETTINGS_USED] = f"{path}: {heading} " if heading.startswith("[") else f"{path}: "
    return path, values


def settings_as_defaults(ctx: typer.Context, config_file: Optional[Path]) -> Optional[Path]:
    """Eager callback of `run --config`: run's settings (the table's top-level keys)
    become the defaults of its options (click's default map), so that flags given still win and
    every value is checked and converted as the flag's would be."""
    if ctx.resilient_parsing:  # shell completion: no files, no errors
        return config_file
    by_flag = {max(p.opts, key=len).lstrip("-"): p.name for p in ctx.command.params if p.param_type_name == "option"}
    by_flag.pop("config", None)
    _, values = read_settings(ctx, config_file, None, by_flag)
    ctx.default_map = {by_flag[key]: value for key, value in values.items()}
    return config_file


def where(ctx: typer.Context, param_name: str) -> str:
    """How to name an option's value in a message: its flag, or the settings file and key it came from."""
    param = param_of(ctx, param_name)
    if param is None:
        return param_name
    flag = max(param.opts, key=len)
    source = ctx.get_parameter_source(param_name)
    if source is not None and source.name == "DEFAULT_MAP" and SETTINGS_USED in ctx.meta:
        return ctx.meta[SETTINGS_USED] + flag.lstrip("-")
    return flag


def param_of(ctx: typer.Context, name: str):
    """The command's option of that name (None if it has none)."""
    return next((p for p in ctx.command.params if p.name == name and p.param_type_name == "option"), None)


def size(text: str) -> int | None:
    """Bytes in "300000", "64K", "64M", "1G" (powers of 1024), or None if it is not a size."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text, re.IGNORECASE)
    if match is None:
        return None
    number, unit = match.groups()
    return int(float(number) * 1024 ** " kmg".index(unit.lower() or " "))


def path_or_url(value: str) -> Path | str:
    """A command-line path as a Path, or kept as written when it is a URL (a Path would fold
    its `//`) or `-` (stdin; `./-` is a file of that name)."""
    return value if is_url(value) or value == STDIN else Path(value)


def output_path_or_url(value: str) -> Path | str:
    """As `path_or_url`, but a name ending in / stays as written: it asks for a folder of parts."""
    return value if value.endswith(("/", os.sep)) else path_or_url(value)


def log_line(text: str) -> None:
    print(f"corpus-clean: {text}", file=sys.stderr, flush=True)


def from_settings(err: typer.TyperException) -> str | None:
    """A value of the settings file that is not of its option's type, said with the file and key."""
    ctx, param = getattr(err, "ctx", None), getattr(err, "param", None)
    if ctx is None or param is None or SETTINGS_USED not in ctx.meta:
        return None
    source = ctx.get_parameter_source(param.name)
    if source is None or source.name != "DEFAULT_MAP":
        return None
    value = (ctx.default_map or {}).get(param.name)
    return f"{ctx.meta[SETTINGS_USED]}{max(param.opts, key=len).lstrip('-')} = {value!r} is not valid: {err.message}"
