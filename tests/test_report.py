import re

import matplotlib.pyplot as plt

from kernelrich.experiments import CheckResult
from kernelrich.plotting import paper_style, save_figure
from kernelrich.report import ReportExperiment, ReportSection, write_report


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
