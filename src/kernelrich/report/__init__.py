"""The HTML report: every paper's claim, experiments (figures, tables), "paper reports / we
measure" table and theorem checks in one self-contained file."""

from ._html import render_report as render_report
from ._html import write_report as write_report
from ._model import ReportExperiment as ReportExperiment
from ._model import ReportSection as ReportSection
from ._paper import paper_claim as paper_claim
from ._paper import paper_module as paper_module
from ._paper import paper_reported as paper_reported
from ._reported import Measured as Measured
from ._reported import resolve_reported as resolve_reported
from ._reported import validate_reported as validate_reported
