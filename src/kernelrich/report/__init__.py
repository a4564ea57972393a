"""The HTML report: every paper's experiments (figures, tables) and theorem checks in one file."""

from ._html import render_report as render_report
from ._html import write_report as write_report
from ._model import ReportExperiment as ReportExperiment
from ._model import ReportSection as ReportSection
