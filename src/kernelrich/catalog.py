"""Every experiment and theorem check that kernelrich ships, in the spec's order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .experiments import Check, Experiment


def experiments() -> dict[str, Experiment]:
    """All experiments by name, in the spec's order (paper by paper)."""
    return {}


def checks() -> list[Check]:
    """All theorem checks, in the spec's order."""
    return []
