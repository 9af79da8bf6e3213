"""`corpus-clean check`: validate an output corpus (filled in by the check work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `check` command to the main app."""
