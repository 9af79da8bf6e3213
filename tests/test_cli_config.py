"""run's options and `Config`'s fields: each field has its option, each option its field,
but for the deliberate exceptions that `cli.run` lists (and says why)."""

from __future__ import annotations

import typer.main

from corpus_clean.cli import run as cli_run
from corpus_clean.cli.app import app
from corpus_clean.config import Config


def _run_options() -> set[str]:
    command = typer.main.get_command(app).commands["run"]
    return {param.name for param in command.params if param.param_type_name == "option"}


def test_every_config_field_has_a_run_option():
    options = _run_options()
    fields_with_option = {cli_run.FIELD_OF_OPTION.get(name, name) for name in options}
    missing = set(Config.field_names()) - fields_with_option - cli_run.FIELDS_WITHOUT_OPTION
    assert not missing, f"Config fields with no option of run (add one, or list it in FIELDS_WITHOUT_OPTION): {missing}"


def test_every_run_option_sets_a_config_field():
    options = _run_options() - cli_run.OPTIONS_WITHOUT_FIELD
    no_field = {name for name in options if cli_run.FIELD_OF_OPTION.get(name, name) not in Config.field_names()}
    assert not no_field, f"options of run that set no Config field (list them in OPTIONS_WITHOUT_FIELD): {no_field}"


def test_the_exceptions_are_still_exceptions():
    """A field or option listed as an exception that has since got its counterpart."""
    options = _run_options()
    assert options >= cli_run.OPTIONS_WITHOUT_FIELD, cli_run.OPTIONS_WITHOUT_FIELD - options
    assert not cli_run.FIELDS_WITHOUT_OPTION & {cli_run.FIELD_OF_OPTION.get(name, name) for name in options}
    assert set(Config.field_names()) >= cli_run.FIELDS_WITHOUT_OPTION
    assert set(cli_run.FIELD_OF_OPTION.values()) <= set(Config.field_names())


def test_run_without_options_cleans_with_configs_defaults():
    """The defaults shown in run's help are Config's own: a run given no option cleans
    with `Config()`, as `corpus_clean.clean(paths)` does."""
    group = typer.main.get_command(app)
    parent = group.make_context("corpus-clean", ["run", "x"])
    ctx = group.commands["run"].make_context("run", ["x", "--config", "/dev/null"], parent=parent)
    assert cli_run.run_config(ctx) == Config()


def test_every_check_setting_is_an_option_of_check():
    from corpus_clean.audit.check import CheckSettings

    command = typer.main.get_command(app).commands["check"]
    options = {param.name for param in command.params if param.param_type_name == "option"}
    assert set(CheckSettings.field_names()) <= options
