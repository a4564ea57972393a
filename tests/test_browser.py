"""The report as a reader's browser shows it: every image loads, no section is empty, every
contents link lands, nothing is fetched from the network; a full-page screenshot and the
printed (A4) PDF are saved.

By default the report is a small one built from `tests/_toy_experiment.py`; set
`KERNELRICH_REPORT=path/to/index.html` to test a real report (CI does, after
`kernelrich reproduce --quick`). The screenshot and PDF go to `$KERNELRICH_ARTIFACTS/report.png`
and `report.pdf` (default `artifacts/`). Chromium is required in CI (see `tests/_browser.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _browser import chromium, full_page_png, print_pdf

ROOT = Path(__file__).resolve().parents[1]

_PAGE_FACTS = """
const imgs = Array.from(document.images);
const sections = Array.from(document.querySelectorAll('main > section, main > nav, footer'));
const empty = sections.filter(s => {
  const body = Array.from(s.children).filter(c => !/^H[1-6]$/.test(c.tagName));
  return body.length === 0 || (s.innerText.trim().length < 20 && !s.querySelector('img'));
}).map(s => s.id || s.tagName);
const links = Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.hash.slice(1));
return {
  images: imgs.length,
  broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt.slice(0, 80)),
  small: imgs.filter(i => i.getBoundingClientRect().width < 200).map(i => i.alt.slice(0, 80)),
  sections: sections.length,
  empty: empty,
  dangling: links.filter(id => !document.getElementById(id)),
  remote: performance.getEntriesByType('resource').map(r => r.name)
            .filter(n => !n.startsWith('data:')),
  papers: document.querySelectorAll('section.paper').length,
};
"""


def _toy_report(out: Path) -> Path:
    """A small report: the toy experiment run, plotted and tabulated, with a check."""
    import _toy_experiment as toy
    from kernelrich.experiments import Param, Store, collect_provenance, run_experiment
    from kernelrich.plotting import paper_style
    from kernelrich.report import ReportExperiment, ReportSection, write_report

    summary = run_experiment(toy.TOY, quick=True, store=Store(out / "store"), progress=False)
    with paper_style():
        figures = toy.plot(summary.table, out / "figures", True)
    exp = ReportExperiment(
        title=toy.TOY.title, claim=toy.TOY.claim, figures=figures,
        tables=toy.tables(summary.table, True), wall_time_s=summary.wall_time_s,
        n_points=len(summary.table.rows), name=toy.TOY.name,
        setup=[Param.paper("a", [1.0, 2.0, 3.0], "Section 1"),
               Param.choice("noise", 0.01, "small enough to see the line")],
    )
    reported = [{"quantity": "mean y at a = 1", "paper": "about 0.5",
                 "experiment": "toy", "column": "mean_y", "by": "a"},
                {"quantity": "Toy Thm 1", "paper": "holds", "check": "Toy Thm 1"}]
    section = ReportSection("toy2024", "A Toy Paper (2024)", [exp],
                            claim="Toy lines are straight. Their slope is a.", reported=reported)
    checks = [toy.CHECKS[0].run()]
    provenance = {"mode": "quick"} | collect_provenance()
    return write_report(out / "report" / "index.html", [section], checks, provenance)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    given = os.environ.get("KERNELRICH_REPORT")
    if given:
        path = Path(given).resolve()
        assert path.is_file(), f"KERNELRICH_REPORT={given} is not a file"
        return path
    return _toy_report(tmp_path_factory.mktemp("browser"))


def test_report_in_chromium(report):
    artifacts = Path(os.environ.get("KERNELRICH_ARTIFACTS", ROOT / "artifacts"))
    with chromium() as driver:
        driver.get(report.as_uri())
        facts = driver.execute_script(_PAGE_FACTS)
        shot = full_page_png(driver, artifacts / "report.png")
        printed = print_pdf(driver, artifacts / "report.pdf")  # figures at print size
    assert facts["images"] > 0, "the report shows no figure"
    assert facts["broken"] == [], f"images that did not load: {facts['broken']}"
    assert facts["small"] == [], f"figures narrower than 200 px: {facts['small']}"
    assert facts["papers"] > 0 and facts["sections"] >= facts["papers"] + 2
    assert facts["empty"] == [], f"empty sections: {facts['empty']}"
    assert facts["dangling"] == [], f"contents links with no target: {facts['dangling']}"
    assert facts["remote"] == [], f"the report fetched: {facts['remote']}"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert printed.read_bytes()[:5] == b"%PDF-"
