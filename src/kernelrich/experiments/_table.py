"""A tidy table: one row per grid point, config columns then result columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._extras import require


class Table:
    """A tidy table: a list of row dicts, one per grid point.

    **Arguments:**

    - `rows`: the rows; each is `{**config, **result}`.
    """

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = list(rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"Table({len(self.rows)} rows, columns={self.columns})"

    @property
    def columns(self) -> list[str]:
        """Every column name, in order of first appearance."""
        return list(dict.fromkeys(name for row in self.rows for name in row))

    def column(self, name: str) -> list[Any]:
        """The values of column `name` in row order (`None` where a row lacks it).

        **Raises:**

        `KeyError` if no row has the column (non-empty tables only).
        """
        if self.rows and all(name not in row for row in self.rows):
            raise KeyError(f"no column {name!r}; columns are {self.columns}")
        return [row.get(name) for row in self.rows]

    def where(self, **equals: Any) -> Table:
        """The rows whose columns equal the given values, e.g. `table.where(alpha=0.1)`."""
        return Table([r for r in self.rows if all(r.get(k) == v for k, v in equals.items())])

    def unique(self, name: str) -> list[Any]:
        """The distinct values of column `name`, sorted (in first-seen order if unsortable)."""
        values = self.column(name)
        try:
            return sorted(set(values))
        except TypeError:
            seen = {json.dumps(v, sort_keys=True): v for v in reversed(values)}
            return list(reversed(seen.values()))

    def to_csv(self, path: Path | str) -> Path:
        """Write the table as CSV; list and dict cells are written as JSON strings."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns)
            writer.writeheader()
            for row in self.rows:
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        return path

    def to_parquet(self, path: Path | str) -> Path:
        """Write the table as Parquet (via pyarrow); list-valued cells stay lists."""
        pa = require("pyarrow", "Table.to_parquet")
        pq = require("pyarrow.parquet", "Table.to_parquet")

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        columns = {name: _arrow_column(self.column(name)) for name in self.columns}
        pq.write_table(pa.table(columns), path)
        return path


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def _arrow_column(values: list[Any]):
    """An Arrow array of `values`; columns of mixed types fall back to JSON strings."""
    pa = require("pyarrow", "Table.to_parquet")

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else json.dumps(v) for v in values], type=pa.string())
