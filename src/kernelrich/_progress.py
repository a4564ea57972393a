"""A rich progress bar shared by the runner, the checks and long dynamics (GD)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(description: str, total: int, enabled: bool, *, show_loss: bool = False
                 ) -> Iterator[Callable[..., None]]:
    """A rich progress bar over `total` steps. Yields `update()`: with no arguments it
    advances by one; with keywords it sets them (`completed=`, and `loss=` text when
    `show_loss`). No output if not `enabled`, or without rich (a core install: the bar
    comes with the `experiments` extra)."""
    try:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
    except ImportError:
        yield lambda **fields: None
        return

    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn()]
    if show_loss:
        columns.append(TextColumn("loss {task.fields[loss]}"))
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, disable=not enabled) as progress:
        task = progress.add_task(description, total=total, loss="-")

        def update(**fields) -> None:
            if fields:
                progress.update(task, **fields)
            else:
                progress.advance(task)

        yield update
