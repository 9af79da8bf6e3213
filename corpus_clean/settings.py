"""Settings from a file: the `[tool.corpus-clean]` table of `pyproject.toml`, or `--config FILE`.

Where they come from, first match wins:

1. `--config FILE`: a TOML file holding either the same `[tool.corpus-clean]` table
   (another project's `pyproject.toml`) or that table's contents at the top level
   (`[check]` instead of `[tool.corpus-clean.check]`).
2. The nearest `pyproject.toml` with a `[tool.corpus-clean]` table, looking in the
   current folder, then its parents, up to the folder holding `.git` (the project's
   root) or the filesystem root. A `pyproject.toml` without the table is passed over,
   as ruff and black do, so a sub-package's own `pyproject.toml` does not hide the
   project's settings.

Keys are spelled like the command line flags (`min-chars`, not `min_chars`), so a
value moves between the file and the command line unchanged. Top-level keys of the
table belong to `run`; each other command has its own sub-table (`[tool.corpus-clean.check]`).
Nothing here knows what a key means: the command says which keys it accepts, and
an unknown key (usually a typo) is an error naming the file, the key and the valid
keys, rather than a setting silently ignored. The command line overrides the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

#: The sub-tables of `[tool.corpus-clean]`, one per command that has settings of its own.
SECTIONS = ("check",)
PYPROJECT = "pyproject.toml"


class SettingsError(ValueError):
    """A settings file that cannot be used: unreadable, not TOML, or an unknown key."""


def _toml():
    try:
        import tomllib  # Python >= 3.11
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise SettingsError(
                "reading settings on Python 3.10 needs the 'tomli' package: pip install tomli"
            ) from None
    return tomllib


def _read_toml(path: Path) -> dict[str, Any]:
    toml = _toml()
    try:
        with path.open("rb") as f:
            return toml.load(f)
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such settings file") from None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a folder; give a TOML file") from None
    except OSError as err:
        raise SettingsError(f"{path}: cannot be read ({err.strerror})") from None
    except toml.TOMLDecodeError as err:
        raise SettingsError(f"{path}: is not valid TOML ({err})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: is not UTF-8 text, so not TOML") from None


def _tool_table(document: dict[str, Any]) -> dict[str, Any] | None:
    table = document.get("tool", {}).get("corpus-clean") if isinstance(document.get("tool"), dict) else None
    return table if isinstance(table, dict) else None


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest `pyproject.toml` with a `[tool.corpus-clean]` table, from `start` (cwd) upwards."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / PYPROJECT
        if path.is_file() and _tool_table(_read_toml(path)) is not None:
            return path
        if (candidate / ".git").exists():  # the project's root: settings above it are someone else's
            return None
    return None


def settings_file(config_file: Path | None = None) -> Path | None:
    """The file settings are read from: `config_file` when given, else the nearest pyproject.toml."""
    return Path(config_file) if config_file is not None else find_pyproject()


def _corpus_clean_table(path: Path, explicit: bool) -> tuple[dict[str, Any], str]:
    """The settings table of a file, and how its heading is written there ("tool.corpus-clean" or "")."""
    document = _read_toml(path)
    table = _tool_table(document)
    if table is not None:
        return table, "tool.corpus-clean"
    if explicit and "tool" not in document:
        return document, ""  # a file of corpus-clean's settings alone, at the top level
    raise SettingsError(f"{path}: has no [tool.corpus-clean] table")


def _heading(prefix: str, name: str | None) -> str:
    """A table as written in its file: "[tool.corpus-clean.check]", "[check]", or "the top-level table"."""
    dotted = ".".join(part for part in (prefix, name) if part)
    return f"[{dotted}]" if dotted else "the top-level table"


def section_heading(path: Path, name: str | None) -> str:
    """How a section is written in the file, for messages about its values."""
    return _heading(_corpus_clean_table(path, explicit=True)[1], name)


def load_section(
    name: str | None,
    config_file: Path | None = None,
    valid_keys: Collection[str] | None = None,
) -> dict[str, Any]:
    """The settings of one command as a plain dict (empty when there is no settings file).

    `name` is a sub-table ("check"), or None for the table's top-level keys (`run`'s).
    `config_file` is `--config FILE`; without it the nearest pyproject.toml is used.
    With `valid_keys`, a key outside them raises `SettingsError` naming the file, the
    key and the valid keys.
    """
    path = settings_file(config_file)
    if path is None:
        return {}
    table, prefix = _corpus_clean_table(path, explicit=config_file is not None)
    for key, value in table.items():
        # a misspelt section would otherwise be skipped without a word
        if isinstance(value, dict) and key not in SECTIONS:
            raise SettingsError(
                f"{path}: unknown section {_heading(prefix, key)}; valid sections: {', '.join(SECTIONS)}"
            )
    if name is None:
        section = {key: value for key, value in table.items() if not isinstance(value, dict)}
    else:
        section = table.get(name, {})
        if not isinstance(section, dict):
            raise SettingsError(f"{path}: '{name}' must be a table {_heading(prefix, name)}, got {section!r}")
    if valid_keys is not None:
        for key in section:
            if key not in valid_keys:
                close = difflib.get_close_matches(key.replace("_", "-"), valid_keys, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise SettingsError(
                    f"{path}: unknown key '{key}' in {_heading(prefix, name)}{hint}; "
                    f"valid keys: {', '.join(sorted(valid_keys))}"
                )
    return dict(section)
