"""Render the report as one self-contained HTML file (inline CSS, images as data URIs)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from ..experiments import CheckResult
from ._figure import figure_html
from ._footer import footer
from ._model import ReportExperiment, ReportSection
from ._paper import paper_assumptions, paper_beyond, paper_claim, paper_reported
from ._reported import Measured, resolve_reported
from ._style import CSS
from ._text import anchor, number, plural, rows_table, verdict

_CHECK_COLUMNS = ("theorem", "instance", "quantity", "measured error", "tolerance",
                  "counterexample: error, verdict", "verdict")
_CHECKS_NOTE = (
    '<p class="muted">Each check runs at the size its instance states, in quick and full mode '
    "alike. A check passes only if its measured error is within tolerance, no run failed, and "
    "the same check returns FAIL on each of its counterexamples (a deliberately wrong result).</p>"
)


def write_report(
    path: Path,
    sections: list[ReportSection],
    checks: list[CheckResult],
    provenance: dict[str, Any],
) -> Path:
    """Write the HTML report: one section per paper, a summary of checks, a provenance footer.

    Each paper's section states the paper's claim, compares what the paper reports with what we
    measure, shows our figures (with captions) and tables, and its theorem checks.

    **Arguments:**

    - `path`: the HTML file to write, or a directory (then `path/index.html`).
    - `sections`: the papers' sections, in order (the spec's).
    - `checks`: every check result; each appears in its paper's section and in the summary.
    - `provenance`: versions, machine, wall time, ... shown in the footer.

    **Returns:**

    The path of the written file, which opens offline (no external resources, no JS).
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = _docs_links(path.parent, [s.paper_key for s in sections])
    path.write_text(render_report(sections, checks, provenance, docs), encoding="utf-8")
    return path


def _docs_links(where: Path, keys: list[str]) -> dict[str, str]:
    """Relative links from `where` into the repository's documentation, when the report is
    written inside a checkout (a parent holds mkdocs.yml): `""` -> the docs' home and each
    paper key -> its tutorial (the built site's page if `site/` exists, else the Markdown)."""
    where = where.resolve()
    root = next((p for p in (where, *where.parents) if (p / "mkdocs.yml").is_file()), None)
    if root is None:
        return {}
    site = root / "site"

    def page(name: str) -> Path | None:
        built = site / (f"{name}/index.html" if name != "index" else "index.html")
        source = root / "docs" / f"{name}.md"
        return built if built.is_file() else source if source.is_file() else None

    pages = {"": page("index"), **{k: page(f"tutorials/{k}") for k in keys}}
    return {k: Path(os.path.relpath(p, where)).as_posix() for k, p in pages.items() if p}


def render_report(
    sections: list[ReportSection],
    checks: list[CheckResult],
    provenance: dict[str, Any],
    docs: dict[str, str] | None = None,
) -> str:
    """The HTML text of the report (see `write_report`); `docs` maps `""` (the docs' home) and
    paper keys (their tutorials) to relative links."""
    docs = docs or {}
    body = [
        "<h1>kernelrich: reproduced experiments and checked theorems</h1>",
        _overview(sections, checks, provenance, docs.get("")),
        _contents(sections),
        *(
            _BEYOND_HEADING * (s is _first_beyond(sections))
            + _section(i, s, [c for c in checks if c.paper == s.paper_key], docs.get(s.paper_key))
            for i, s in enumerate(sections, start=1)
        ),
        '<section id="checks-summary"><h2>Summary of all checks</h2>',
        _checks_table(checks, with_paper=True),
        "</section>",
        footer(sections, provenance),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>kernelrich report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _overview(
    sections: list[ReportSection],
    checks: list[CheckResult],
    provenance: dict[str, Any],
    docs: str | None,
) -> str:
    n_exp = sum(len(s.experiments) for s in sections)
    n_fail = sum(not c.passed for c in checks)
    mark = verdict(n_fail == 0) if checks else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = f"{escape(str(provenance['mode']))} mode, " if "mode" in provenance else ""
    where = f'<a href="{escape(docs)}">the documentation</a>' if docs else "the documentation"
    return (
        f'<p class="meta">{mode}{plural(n_exp, "experiment")}, '
        f"{plural(len(checks), 'theorem check')} "
        f"({len(checks) - n_fail} passed, {n_fail} failed) {mark} &middot; written {when}. "
        f"How to rerun and reuse each piece: {where} (<code>docs/</code> in the repository) "
        "and the scripts in <code>examples/</code>.</p>"
    )


_BEYOND_HEADING = (
    '<h2 id="beyond" class="part">Beyond the papers</h2>\n<p class="muted">Results published '
    "since the spec's papers, computed with the same toolkit and checked the same way.</p>\n"
)


def _first_beyond(sections: list[ReportSection]) -> ReportSection | None:
    return next((s for s in sections if paper_beyond(s.paper_key)), None)


def _contents(sections: list[ReportSection]) -> str:
    items = []
    for i, s in enumerate(sections, start=1):
        if s is _first_beyond(sections):
            items.append('<li><a href="#beyond">Beyond the papers</a></li>')
        sub = "".join(
            f'<li><a href="#{anchor("exp", e.name)}">{escape(e.title)}</a></li>'
            for e in s.experiments
            if e.name
        )
        items.append(
            f'<li><a href="#{anchor("paper", s.paper_key)}">{i}. {escape(s.paper_title)}</a>'
            + (f"<ol>{sub}</ol>" if sub else "")
            + "</li>"
        )
    items += [
        '<li><a href="#checks-summary">Summary of all checks</a></li>',
        '<li><a href="#provenance">Provenance</a></li>',
    ]
    return f'<nav id="contents"><h2>Contents</h2><ul>{"".join(items)}</ul></nav>'


def _section(
    number_: int, section: ReportSection, checks: list[CheckResult], tutorial: str | None
) -> str:
    claim = section.claim if section.claim is not None else paper_claim(section.paper_key)
    reported = (
        section.reported if section.reported is not None else paper_reported(section.paper_key)
    )
    parts = [f'<section class="paper" id="{anchor("paper", section.paper_key)}">']
    parts.append(f"<h2>{number_}. {escape(section.paper_title)}</h2>")
    if claim:
        parts.append(f'<blockquote class="paper-claim"><b>Claim.</b> {escape(claim)}</blockquote>')
    n_pass = sum(c.passed for c in checks)
    link = f' &middot; <a href="{escape(tutorial)}">tutorial</a>' if tutorial else ""
    parts.append(
        f'<p class="meta">{plural(len(section.experiments), "experiment")}, '
        f"{plural(len(checks), 'theorem check')} ({n_pass} passed){link}</p>"
    )
    if reported:
        parts += ["<h3>Paper reports / we measure</h3>", _reported_table(reported, section, checks)]
    for j, exp in enumerate(section.experiments, start=1):
        parts.append(_experiment(f"{number_}.{j}", exp))
    if checks:
        parts += ["<h3>Theorem checks</h3>", _CHECKS_NOTE, _checks_table(checks, with_paper=False)]
    assumptions = _assumptions(section)
    if assumptions:
        parts += ["<h3>Assumptions</h3>", assumptions]
    if not (section.experiments or checks or reported):
        parts.append('<p class="muted">No experiments or checks of this paper in this run.</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _reported_table(
    reported: list[dict[str, Any]], section: ReportSection, checks: list[CheckResult]
) -> str:
    try:
        rows = resolve_reported(reported, section.experiments, checks)
    except ValueError as e:
        return f'<div class="failures">Invalid REPORTED: {escape(str(e))}</div>'
    head = "".join(f"<th>{h}</th>" for h in ("quantity", "paper reports", "we measure", "from"))
    return f'<div class="scroll"><table class="reported"><tr>{head}</tr>' + "".join(
        _reported_row(r) for r in rows
    ) + "</table></div>"


def _reported_row(row: Measured) -> str:
    missing = '<span class="muted">not in this run</span>'
    if row.problem:
        missing = f'<span class="fail">{escape(row.problem)}</span>'
    measured = escape(row.measured) if row.measured else missing
    if row.passed is not None:
        measured += " " + verdict(row.passed)
    source = escape(row.source)
    if row.anchor:
        source = f'<a href="#{row.anchor}">{source}</a>'
    note = f'<br><span class="muted">{escape(row.note)}</span>' if row.note else ""
    cells = (escape(row.quantity), escape(row.paper) + note, measured, source)
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _experiment(label: str, exp: ReportExperiment) -> str:
    ident = f' id="{anchor("exp", exp.name)}"' if exp.name else ""
    meta = f"{exp.n_points} points, {exp.n_failed} failed, {exp.wall_time_s:.1f} s"
    if exp.name:
        meta = f"<code>{escape(exp.name)}</code> &middot; " + escape(meta)
    parts = [
        f'<article class="experiment"{ident}>',
        f"<h3>{escape(label)} {escape(exp.title)}</h3>",
        f'<p class="claim">{escape(exp.claim)}</p>',
        f'<p class="meta">{meta}</p>',
    ]
    if exp.failures:
        text = "\n".join(exp.failures)
        parts.append(f'<div class="failures">Failures:\n{escape(text)}</div>')
    parts += [
        figure_html(f, f"Figure {label}" + (f".{k}" if len(exp.figures) > 1 else ""))
        for k, f in enumerate(exp.figures, start=1)
    ]
    for title, rows in exp.tables:
        parts += [f"<h4>{escape(title)}</h4>", rows_table(rows)]
    if exp.setup:
        differs = sum(p.differs for p in exp.setup)
        verb = "differs" if differs == 1 else "differ"
        note = f" ({plural(differs, 'value')} {verb} from the paper's)" if differs else ""
        parts += [f"<details><summary>Setup: every parameter and its source{note}</summary>",
                  rows_table([p.row() for p in exp.setup]), "</details>"]
    parts.append("</article>")
    return "\n".join(parts)


def _assumptions(section: ReportSection) -> str:
    """The values the paper leaves open or that could not be read, from the experiments' setups
    and the paper package's `ASSUMPTIONS`, once each: value, why, where it is used."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for exp in section.experiments:
        for p in exp.setup:
            if p.assumed:
                seen.setdefault((p.name, str(p.row()["value"]), p.row()["source"]), []).append(
                    exp.name)
    for p in paper_assumptions(section.paper_key):
        seen.setdefault((p.name, str(p.row()["value"]), p.row()["source"]), []).append("checks")
    if not seen:
        return ""
    items = "".join(
        f"<li><b>{escape(name)}</b> = {escape(value)} &mdash; {escape(source)} "
        f'<span class="muted">({escape(", ".join(dict.fromkeys(where)))})</span></li>'
        for (name, value, source), where in seen.items()
    )
    return f'<ul class="assumptions">{items}</ul>'


def _counterexample_cell(c: CheckResult) -> str:
    if not c.counterexamples:
        return '<span class="fail">none: the check cannot be shown to fail</span>'
    return "<br>".join(
        f"{escape(r.what)}: {number(r.error)} "
        + ('<span class="pass">FAIL, as it must</span>' if r.failed
           else '<span class="fail">PASS: the check cannot tell</span>')
        for r in c.counterexamples
    )


def _check_row(c: CheckResult, with_paper: bool) -> str:
    cells = [escape(c.paper)] if with_paper else []
    cells += [escape(c.theorem), escape(c.instance), escape(c.quantity)]
    cells += [number(c.error), number(c.tolerance), _counterexample_cell(c), verdict(c.passed)]
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
