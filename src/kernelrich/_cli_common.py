"""Options and consoles shared by the `kernelrich` commands (`cli`, `_cli_store`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from ._extras import require

typer = require("typer", "the kernelrich command")
Console = require("rich.console", "the kernelrich command").Console
RichTable = require("rich.table", "the kernelrich command").Table

_Quick = Annotated[bool, typer.Option("--quick/--full", help="Quick (small) or full grids.")]
_Out = Annotated[Path, typer.Option("--out", help="Output directory (store and report).")]
_Progress = Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars.")]


def _out() -> Console:
    console = Console()
    # Piped or captured output (CI logs) gets 80 columns by default: too narrow for the tables.
    return console if console.is_terminal else Console(width=140)


def _err() -> Console:
    return Console(stderr=True)


def _catalog():
    from . import catalog

    return catalog
