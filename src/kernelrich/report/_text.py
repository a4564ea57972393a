"""Small HTML text helpers shared by the report's renderers."""

from __future__ import annotations

import json
import math
import re
from html import escape
from typing import Any

MAX_ROWS = 200


def anchor(prefix: str, key: str) -> str:
    """An HTML id: `prefix-key` with every character outside [A-Za-z0-9_-] replaced by `-`."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def number(x: float) -> str:
    return f"{x:.3e}" if math.isfinite(x) else str(x)


def verdict(passed: bool) -> str:
    return '<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>'


def cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return f"<td>{'' if value is None else value}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:.4g}</td>'
    if isinstance(value, list | dict):
        text = json.dumps(value)
        value = text if len(text) <= 80 else text[:77] + "..."
    return f"<td>{escape(str(value))}</td>"


def rows_table(rows: list[dict[str, Any]]) -> str:
    """`rows` (dicts) as an HTML table: the union of their keys as columns, at most MAX_ROWS."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = [
        "<tr>" + "".join(cell(row.get(c)) for c in columns) + "</tr>" for row in rows[:MAX_ROWS]
    ]
    more = f'<p class="muted">{len(rows) - MAX_ROWS} more rows</p>' if len(rows) > MAX_ROWS else ""
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>{more}'
