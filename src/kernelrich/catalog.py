"""Every experiment and theorem check that kernelrich ships, in the spec's order."""

from __future__ import annotations

import importlib
from types import ModuleType

from .experiments import Check, Experiment

# Paper modules under kernelrich.papers, in the order of the spec's sections.
_PAPERS = [
    "woodworth2020",
    "chizat2019",
    "jacot2018",
    "gunasekar2017",
    "arora2019",
    "chizat_bach2018",
    "barron1993",
    # Beyond the papers (BEYOND = True): shown after the spec's papers.
    "bordelon2020",
    "arora2019cntk",
    "even2023",
    "pesme2021",
    "pesme2023",
    "moroshko2020",
]


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"kernelrich.papers.{name}") for name in _PAPERS]


def papers() -> dict[str, str]:
    """Paper key -> full title, in the spec's order."""
    return {m.KEY: m.TITLE for m in _modules()}


def experiments() -> dict[str, Experiment]:
    """All experiments by name, in the spec's order (paper by paper)."""
    return {e.name: e for m in _modules() for e in m.EXPERIMENTS}


def checks() -> list[Check]:
    """All theorem checks, in the spec's order."""
    return [c for m in _modules() for c in m.CHECKS]


def __getattr__(name: str):
    if name == "PAPERS":  # read by the CLI and the report
        return papers()
    raise AttributeError(name)
