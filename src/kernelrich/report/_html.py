"""Render the report as one self-contained HTML file (inline CSS, images as data URIs)."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from ..experiments import CheckResult, Figure
from ._model import ReportExperiment, ReportSection
from ._style import CSS

_MAX_ROWS = 200
_CHECK_COLUMNS = ("theorem", "instance", "quantity", "measured error", "tolerance", "verdict")


def write_report(
    path: Path,
    sections: list[ReportSection],
    checks: list[CheckResult],
    provenance: dict[str, Any],
) -> Path:
    """Write the HTML report: one section per paper, a summary of checks, a provenance footer.

    **Arguments:**

    - `path`: the HTML file to write, or a directory (then `path/index.html`).
    - `sections`: the papers' sections, in order.
    - `checks`: every check result; each appears in its paper's section and in the summary.
    - `provenance`: versions, machine, wall time, ... shown in the footer.

    **Returns:**

    The path of the written file, which opens offline (no external resources, no JS).
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(sections, checks, provenance), encoding="utf-8")
    return path


def render_report(
    sections: list[ReportSection], checks: list[CheckResult], provenance: dict[str, Any]
) -> str:
    """The HTML text of the report (see `write_report`)."""
    body = [
        "<h1>kernelrich: reproduced experiments and checked theorems</h1>",
        _overview(sections, checks),
        _contents(sections),
        *(_section(s, [c for c in checks if c.paper == s.paper_key]) for s in sections),
        '<section id="checks-summary"><h2>Summary of all checks</h2>',
        _checks_table(checks, with_paper=True),
        "</section>",
        _footer(sections, provenance),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>kernelrich report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _anchor(prefix: str, key: str) -> str:
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}"


def _overview(sections: list[ReportSection], checks: list[CheckResult]) -> str:
    n_exp = sum(len(s.experiments) for s in sections)
    n_fail = sum(not c.passed for c in checks)
    verdict = _verdict(n_fail == 0) if checks else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<p class="meta">{_plural(n_exp, "experiment")}, {_plural(len(checks), "theorem check")} '
        f"({len(checks) - n_fail} passed, {n_fail} failed) {verdict} &middot; written {when}</p>"
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _contents(sections: list[ReportSection]) -> str:
    items = [
        f'<li><a href="#{_anchor("paper", s.paper_key)}">{escape(s.paper_title)}</a></li>'
        for s in sections
    ]
    items += [
        '<li><a href="#checks-summary">Summary of all checks</a></li>',
        '<li><a href="#provenance">Provenance</a></li>',
    ]
    return "<nav><h2>Contents</h2><ol>" + "".join(items) + "</ol></nav>"


def _section(section: ReportSection, checks: list[CheckResult]) -> str:
    parts = [f'<section id="{_anchor("paper", section.paper_key)}">']
    parts.append(f"<h2>{escape(section.paper_title)}</h2>")
    parts += [_experiment(e) for e in section.experiments]
    if checks:
        parts += ["<h3>Theorem checks</h3>", _checks_table(checks, with_paper=False)]
    parts.append("</section>")
    return "\n".join(parts)


def _experiment(exp: ReportExperiment) -> str:
    anchor = f' id="{_anchor("exp", exp.name)}"' if exp.name else ""
    meta = f"{exp.n_points} points, {exp.n_failed} failed, {exp.wall_time_s:.1f} s"
    if exp.name:
        meta = f"<code>{escape(exp.name)}</code> &middot; " + escape(meta)
    parts = [
        f'<article class="experiment"{anchor}>',
        f"<h3>{escape(exp.title)}</h3>",
        f'<p class="claim">{escape(exp.claim)}</p>',
        f'<p class="meta">{meta}</p>',
    ]
    if exp.failures:
        text = "\n".join(exp.failures)
        parts.append(f'<div class="failures">Failures:\n{escape(text)}</div>')
    parts += [_figure(f) for f in exp.figures]
    for title, rows in exp.tables:
        parts += [f"<h4>{escape(title)}</h4>", _rows_table(rows)]
    parts.append("</article>")
    return "\n".join(parts)


def _figure(fig: Figure) -> str:
    caption = f"<figcaption>{escape(fig.caption)}</figcaption>"
    try:
        data = base64.b64encode(Path(fig.png).read_bytes()).decode("ascii")
    except OSError:
        return (
            f'<figure><p class="fail">missing figure {escape(str(fig.png))}</p>{caption}</figure>'
        )
    img = f'<img src="data:image/png;base64,{data}" alt="{escape(fig.caption)}">'
    return f"<figure>{img}{caption}</figure>"


def _cell(value: Any) -> str:
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


def _rows_table(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = [
        "<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>" for row in rows[:_MAX_ROWS]
    ]
    more = (
        f'<p class="muted">{len(rows) - _MAX_ROWS} more rows</p>' if len(rows) > _MAX_ROWS else ""
    )
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>{more}'


def _number(x: float) -> str:
    return f"{x:.3e}" if math.isfinite(x) else str(x)


def _verdict(passed: bool) -> str:
    return '<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>'


def _check_row(c: CheckResult, with_paper: bool) -> str:
    cells = [escape(c.paper)] if with_paper else []
    cells += [escape(c.theorem), escape(c.instance), escape(c.quantity)]
    cells += [_number(c.error), _number(c.tolerance), _verdict(c.passed)]
    row_class = "" if c.passed else ' class="fail-row"'
    title = f' title="{escape(c.detail)}"' if c.detail else ""
    return f"<tr{row_class}{title}>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"


def _checks_table(checks: list[CheckResult], with_paper: bool) -> str:
    if not checks:
        return '<p class="muted">No checks.</p>'
    columns = (("paper",) if with_paper else ()) + _CHECK_COLUMNS
    head = "".join(f"<th>{c}</th>" for c in columns)
    rows = "".join(_check_row(c, with_paper) for c in checks)
    details = [c for c in checks if with_paper and not c.passed and c.detail]
    notes = "".join(
        f'<div class="failures">{escape(c.theorem)} ({escape(c.instance)}): '
        f"{escape(c.detail)}</div>"
        for c in details
    )
    return f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>{notes}'


def _footer(sections: list[ReportSection], provenance: dict[str, Any]) -> str:
    prov = [
        {"": k, "value": v if isinstance(v, str) else json.dumps(v)} for k, v in provenance.items()
    ]
    times = [
        {
            "experiment": e.name or e.title,
            "points": e.n_points,
            "failed": e.n_failed,
            "wall time (s)": round(e.wall_time_s, 2),
        }
        for s in sections
        for e in s.experiments
    ]
    return (
        '<footer id="provenance"><h2>Provenance</h2>'
        + _rows_table(prov)
        + "<h3>Wall time per experiment</h3>"
        + (_rows_table(times) if times else '<p class="muted">No experiments.</p>')
        + "</footer>"
    )
