"""Theorem checks: a paper's statement evaluated on one instance, with a tolerance."""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace

from .._progress import progress_bar


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one theorem check.

    **Arguments:**

    - `theorem`: e.g. `"Woodworth Thm 1"`.
    - `instance`: e.g. `"d=40, N=10, alpha=0.1, D=2"`.
    - `quantity`: what was compared, e.g. `"max |w_flow - w_closed_form|"`.
    - `error`: the measured error.
    - `tolerance`: the largest error that passes.
    - `passed`: the verdict.
    - `detail`: free text (method, step sizes, the exception of a check that raised).
    - `paper`: report grouping key; `run_checks` fills it from the `Check` when empty.
    """

    theorem: str
    instance: str
    quantity: str
    error: float
    tolerance: float
    passed: bool
    detail: str = ""
    paper: str = ""

    @classmethod
    def compare(
        cls,
        theorem: str,
        instance: str,
        quantity: str,
        error: float,
        tolerance: float,
        detail: str = "",
        paper: str = "",
    ) -> CheckResult:
        """A result that passes iff `error` is finite and `error <= tolerance`."""
        error, tolerance = float(error), float(tolerance)
        passed = bool(math.isfinite(error) and error <= tolerance)
        return cls(theorem, instance, quantity, error, tolerance, passed, detail, paper)


@dataclass(frozen=True)
class Check:
    """A theorem of a paper checked on one instance.

    **Arguments:**

    - `theorem`: e.g. `"Woodworth Thm 1"`.
    - `instance`: e.g. `"d=40, N=10, alpha=0.1, D=2"`.
    - `run`: computes the `CheckResult`.
    - `paper`: report grouping key, the same as `Experiment.paper`.
    """

    theorem: str
    instance: str
    run: Callable[[], CheckResult]
    paper: str = ""


def run_checks(checks: list[Check], *, progress: bool = True) -> list[CheckResult]:
    """Run every check; a check that raises gives a failed result (never aborts the run).

    **Arguments:**

    - `checks`: the checks, run in order.
    - `progress`: show a rich progress bar.

    **Returns:**

    One `CheckResult` per check, in order, with `paper` filled from the check.
    """
    results = []
    with progress_bar("checks", len(checks), progress) as advance:
        for check in checks:
            results.append(_run_one(check))
            advance()
    return results


def _run_one(check: Check) -> CheckResult:
    try:
        result = check.run()
        if not isinstance(result, CheckResult):
            raise TypeError(f"Check.run must return a CheckResult, got {type(result).__name__}")
    except Exception as e:
        detail = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
        nan = float("nan")
        return CheckResult(
            check.theorem, check.instance, "(raised)", nan, nan, False, detail, check.paper
        )
    return result if result.paper else replace(result, paper=check.paper)
