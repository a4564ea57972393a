"""A paper's own words for its report section: the optional `CLAIM` and `REPORTED` attributes
of its package under `kernelrich.papers`.

A paper package may define

- `CLAIM`: two sentences stating the paper's claim in the paper's words;
- `REPORTED`: a list of dicts, one per number (or qualitative result) the paper reports, each
  naming where our measurement comes from (see `kernelrich.report.Reported`);
- `BEYOND`: `True` for results beyond the spec's papers, shown under "Beyond the papers";
- `ASSUMPTIONS`: a list of `kernelrich.experiments.Param` the checks assume (the experiments'
  own come from their `setup`).

All are optional: a package without them still renders (with no claim and no table).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

_PACKAGE = "kernelrich.papers"


def paper_module(key: str) -> ModuleType | None:
    """The paper package whose `KEY` is `key`, or `None`.

    Tries `kernelrich.papers.<key>` first, then every paper package already imported (the
    catalog imports them all), so a package named differently from its key is found too.
    """
    try:
        module = importlib.import_module(f"{_PACKAGE}.{key}")
        if getattr(module, "KEY", key) == key:
            return module
    except ImportError:
        pass
    for name, module in list(sys.modules.items()):
        if name.startswith(_PACKAGE + ".") and getattr(module, "KEY", None) == key:
            return module
    return None


def paper_claim(key: str) -> str:
    """The paper package's `CLAIM` (empty if it has none)."""
    module = paper_module(key)
    claim = getattr(module, "CLAIM", "") if module is not None else ""
    return claim if isinstance(claim, str) else ""


def paper_reported(key: str) -> list[dict[str, Any]]:
    """The paper package's `REPORTED` entries (empty if it has none)."""
    module = paper_module(key)
    reported = getattr(module, "REPORTED", None) if module is not None else None
    return list(reported or [])


def paper_assumptions(key: str) -> list[Any]:
    """The paper package's `ASSUMPTIONS` that are assumed (choices, uncertain values)."""
    module = paper_module(key)
    params = getattr(module, "ASSUMPTIONS", None) if module is not None else None
    return [p for p in (params or []) if getattr(p, "assumed", False)]


def paper_beyond(key: str) -> bool:
    """Whether the paper package marks itself as beyond the spec's papers (`BEYOND = True`)."""
    module = paper_module(key)
    return bool(getattr(module, "BEYOND", False)) if module is not None else False
