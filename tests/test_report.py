import re

import matplotlib.pyplot as plt
import pytest

from kernelrich.experiments import CheckResult
from kernelrich.plotting import paper_style, save_figure
from kernelrich.report import (
    ReportExperiment,
    ReportSection,
    paper_module,
    paper_reported,
    validate_reported,
    write_report,
)
from kernelrich.report._figure import png_size_in


def _figure(out_dir, name):
    with paper_style():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return save_figure(fig, out_dir, name, f"Caption of {name} <quick>.")


def test_save_figure(tmp_path):
    fig = _figure(tmp_path, "f")
    assert fig.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.pdf.read_bytes()[:5] == b"%PDF-"
    assert plt.get_fignums() == []


def test_report_self_contained(tmp_path):
    figures = [_figure(tmp_path, "a"), _figure(tmp_path, "b")]
    exp = ReportExperiment(
        title="Figure 1: toy <line>",
        claim="Lines & curves.",
        figures=figures,
        tables=[("Table 1", [{"a": 1, "y": 0.123456, "v": [1.0, 2.0]}])],
        wall_time_s=1.5,
        n_points=4,
        n_failed=1,
        failures=["point {'a': 2}: RuntimeError: boom"],
        name="toy",
    )
    sections = [
        ReportSection("toy2024", "A Toy Paper (2024)", [exp]),
        ReportSection("other", "Other Paper", []),
    ]
    checks = [
        CheckResult.compare("Toy Thm 1", "a=1", "|y - x|", 1e-12, 1e-9, paper="toy2024"),
        CheckResult.compare("Toy Thm 2", "a=2", "|y - 2x|", 0.5, 1e-9, "why", paper="toy2024"),
        CheckResult.compare("Other Thm", "n=3", "gap", 0.0, 0.0, paper="nowhere"),
    ]
    path = write_report(tmp_path / "report", sections, checks, {"jax": "0.x", "host": "h"})
    assert path == tmp_path / "report" / "index.html"
    html = path.read_text()

    assert html.count('<img src="data:image/png;base64,') == 2
    assert 'id="paper-toy2024"' in html and 'href="#paper-toy2024"' in html
    assert "A Toy Paper (2024)" in html and "Other Paper" in html
    assert "Figure 1: toy &lt;line&gt;" in html and "Lines &amp; curves." in html
    assert "Caption of a &lt;quick&gt;." in html
    assert "<h4>Table 1</h4>" in html and "0.1235" in html
    assert "RuntimeError: boom" in html
    toy_section = html[html.index('id="paper-toy2024"') : html.index('id="paper-other"')]
    assert "Toy Thm 1" in toy_section and "Toy Thm 2" in toy_section
    assert "Other Thm" not in toy_section
    summary = html[html.index('id="checks-summary"') :]
    assert all(t in summary for t in ("Toy Thm 1", "Toy Thm 2", "Other Thm"))
    assert html.count('<span class="pass">PASS</span>') == 1 + 2  # section, summary
    assert html.count('<span class="fail">FAIL</span>') == 1 + 1 + 1  # + overview
    assert 'id="provenance"' in html and "0.x" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "http" not in html
    assert "<script" not in html


def _toy_section(tmp_path, **kwargs):
    exp = ReportExperiment(
        title="Toy figure",
        claim="A line.",
        figures=[_figure(tmp_path, "c")],
        tables=[("Slopes", [{"k": "a", "slope": -0.49}, {"k": "b", "slope": -0.51}])],
        name="toy",
    )
    return ReportSection("toy2024", "A Toy Paper (2024)", [exp], **kwargs)


def test_report_claim_and_reported(tmp_path):
    reported = [
        {"quantity": "slope q", "paper": "-1/2 <exactly>", "experiment": "toy",
         "column": "slope", "by": "k", "note": "Lee et al."},
        {"quantity": "thm", "paper": "holds", "check": "Toy Thm 1"},
        {"quantity": "absent", "paper": "3", "experiment": "nowhere", "column": "x"},
        {"quantity": "renamed", "paper": "4", "experiment": "toy", "column": "old name"},
    ]
    section = _toy_section(tmp_path, claim="Lines are <straight>.", reported=reported)
    checks = [CheckResult.compare("Toy Thm 1", "a=1", "|y - x|", 1e-12, 1e-9, paper="toy2024")]
    html = write_report(tmp_path / "r.html", [section], checks, {"mode": "quick"}).read_text()
    assert "<b>Claim.</b> Lines are &lt;straight&gt;." in html
    assert "Paper reports / we measure" in html and "-1/2 &lt;exactly&gt;" in html
    assert "k=a: -0.49; k=b: -0.51" in html and "Lee et al." in html
    assert "|y - x| = 1.00e-12 (tol 1.0e-09)" in html
    assert "not in this run" in html
    assert "no row of toy&#x27;s tables has column &#x27;old name&#x27;" in html
    assert 'href="#exp-toy"' in html and "Figure 1.1." in html
    assert re.search(r'style="--w: [23]\.\d\din"', html)  # print size (tight bbox)
    assert "cpu cores" in html and "quick mode" in html


def test_report_invalid_reported_is_shown_not_raised(tmp_path):
    section = _toy_section(tmp_path, claim="", reported=[{"quantity": "q", "paper": "p"}])
    html = write_report(tmp_path / "r.html", [section], [], {}).read_text()
    assert "Invalid REPORTED" in html and "exactly one of" in html


def test_validate_reported_names_the_entry():
    good = {"quantity": "q", "paper": "p", "check": "T"}
    validate_reported([good])
    for bad, match in [
        ([good, {"quantity": "q", "paper": "p"}], r"REPORTED\[1\]"),
        ([{**good, "colour": 1}], "unknown keys"),
        ([{**good, "paper": ""}], "'paper'"),
        ([{"quantity": "q", "paper": "p", "experiment": "e"}], "'column'"),
        ([{**good, "experiment": "e", "column": "c"}], "exactly one"),
        (["x"], "must be a dict"),
        ([{**good, "instance": 3}], "'instance'"),
        ([{"quantity": "q", "paper": "p", "experiment": "e", "column": "c", "by": [1]}], "'by'"),
    ]:
        with pytest.raises(ValueError, match=match):
            validate_reported(bad)


def test_empty_section_says_so(tmp_path):
    section = ReportSection("none2024", "Nothing Yet", [], claim="", reported=[])
    html = write_report(tmp_path / "r.html", [section], [], {}).read_text()
    assert "No experiments or checks of this paper in this run." in html


def test_png_size_in(tmp_path):
    fig = _figure(tmp_path, "s")
    width, height = png_size_in(fig.png.read_bytes())
    pixels = int.from_bytes(fig.png.read_bytes()[16:20], "big")
    assert abs(width - pixels / 200) < 1e-3 and 2.0 < width <= 3.3 and 1.0 < height < 2.5
    assert png_size_in(b"not a png") is None


def test_catalog_papers_claim_and_reported():
    """Every catalog paper's CLAIM / REPORTED (optional) is valid and names real sources."""
    from kernelrich import catalog

    experiments = catalog.experiments()
    theorems = {(c.paper, c.theorem) for c in catalog.checks()}
    for key in catalog.papers():
        module = paper_module(key)
        assert module is not None and module.KEY == key
        claim = getattr(module, "CLAIM", "")
        assert isinstance(claim, str)
        if claim:
            assert claim.count(". ") >= 1, f"{key}: CLAIM should be two sentences"
        reported = paper_reported(key)
        validate_reported(reported)
        for entry in reported:
            if "experiment" in entry:
                assert experiments[entry["experiment"]].paper == key, entry
            else:
                assert (key, entry["check"]) in theorems, entry


def test_report_links_into_the_docs_of_its_checkout(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    (tmp_path / "docs" / "tutorials").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# x\n")
    (tmp_path / "docs" / "tutorials" / "toy2024.md").write_text("# toy\n")
    sections = [_toy_section(tmp_path, claim="", reported=[]),
                ReportSection("other", "Other", [], claim="", reported=[])]
    html = write_report(tmp_path / "report", sections, [], {}).read_text()
    assert '<a href="../docs/index.md">the documentation</a>' in html
    assert '<a href="../docs/tutorials/toy2024.md">tutorial</a>' in html
    assert html.count(">tutorial</a>") == 1  # "other" has no tutorial page
    (tmp_path / "site" / "tutorials" / "toy2024").mkdir(parents=True)
    (tmp_path / "site" / "tutorials" / "toy2024" / "index.html").write_text("<p>toy</p>")
    html = write_report(tmp_path / "report", sections, [], {}).read_text()
    assert '<a href="../site/tutorials/toy2024/index.html">tutorial</a>' in html


def test_beyond_the_papers_heading_precedes_the_first_beyond_section(monkeypatch):
    from kernelrich.report import _html

    monkeypatch.setattr(_html, "paper_beyond", lambda key: key.startswith("new"))
    sections = [ReportSection("old2018", "Old (2018)", []),
                ReportSection("new2021", "New (2021)", []),
                ReportSection("new2023", "Newer (2023)", [])]
    html = _html.render_report(sections, [], {})
    body = html[html.index("</nav>"):]
    assert body.count('id="beyond"') == 1
    assert body.index('id="paper-old2018"') < body.index('id="beyond"') < body.index(
        'id="paper-new2021"')
    assert '<a href="#beyond">Beyond the papers</a>' in html[: html.index("</nav>")]


def test_setup_table_and_assumptions(tmp_path):
    from kernelrich.experiments import Param
    from kernelrich.report import render_report

    setup = [Param.paper("d", 200, "§3", paper_value=1000), Param.choice("seed", 0, "any")]
    exp = ReportExperiment(title="T", claim="C", name="toy", setup=setup)
    html = render_report([ReportSection("toy2024", "Toy", [exp])], [], {})
    assert "200 (paper: 1000)" in html and "1 value differs from" in html
    assumptions = html[html.index("<h3>Assumptions</h3>"):]
    assert "seed" in assumptions and "our choice: any" in assumptions
    assert "paper: §3" not in assumptions
