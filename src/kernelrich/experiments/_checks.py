"""Theorem checks: a paper's statement evaluated on one instance, with a tolerance, and the
counterexamples on which the same check must fail.

A check is split in two so that it can be shown to fail: `measure()` does the expensive work
and returns the *evidence* (a dict of the computed objects: a limit, a trajectory, the runs'
errors and solver statuses), and `judge(evidence)` turns evidence into a `CheckResult`. Each
`Counterexample` corrupts the evidence the way a wrong result would look (a shifted limit, a
biased slope, a diverged run, an infeasible point); `run_checks` judges every corrupted copy
with the same `judge`, and a check passes only if its own evidence passes **and** every
counterexample fails. A check that cannot fail therefore cannot pass.
"""

from __future__ import annotations

import copy
import math
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._progress import progress_bar

Evidence = Mapping[str, Any]


@dataclass(frozen=True)
class Refutation:
    """The verdict of a check's `judge` on one counterexample.

    **Arguments:**

    - `what`: the deliberately wrong result, e.g. `"min-l2 in place of the flow limit"`.
    - `error`: the error the judge measured on it.
    - `failed`: whether the judge returned FAIL on it (what a counterexample must do).
    - `detail`: the judge's detail, or the exception it raised.
    """

    what: str
    error: float
    failed: bool
    detail: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one theorem check.

    **Arguments:**

    - `theorem`: e.g. `"Woodworth Thm 1"`.
    - `instance`: e.g. `"d=40, N=10, alpha=0.1, D=2"`: the size the check ran at.
    - `quantity`: what was compared, e.g. `"max |w_flow - w_closed_form|"`.
    - `error`: the measured error.
    - `tolerance`: the largest error that passes.
    - `passed`: the verdict. After `run_checks`: the measured error passes *and* every
      counterexample fails.
    - `detail`: free text (method, step sizes, the exception of a check that raised).
    - `paper`: report grouping key; `run_checks` fills it from the `Check` when empty.
    - `failed_runs`: runs that diverged, stopped early or whose solver reported a status other
      than optimal, each named with why (e.g. `"seed 3: loss is nan"`); any fails the check.
    - `counterexamples`: the judge's verdicts on the check's counterexamples (`run_checks`).
    """

    theorem: str
    instance: str
    quantity: str
    error: float
    tolerance: float
    passed: bool
    detail: str = ""
    paper: str = ""
    failed_runs: tuple[str, ...] = ()
    counterexamples: tuple[Refutation, ...] = field(default=())

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
        failed_runs: Iterable[str] = (),
    ) -> CheckResult:
        """A result that passes iff `error` is finite, `error <= tolerance` and no run failed
        (`failed_runs` empty); the failed runs are listed first in `detail`."""
        error, tolerance = float(error), float(tolerance)
        failed_runs = tuple(failed_runs)
        passed = bool(math.isfinite(error) and error <= tolerance and not failed_runs)
        if failed_runs:
            detail = f"failed runs: {'; '.join(failed_runs)}" + (f". {detail}" if detail else "")
        return cls(theorem, instance, quantity, error, tolerance, passed, detail, paper,
                   failed_runs)

    @property
    def can_fail(self) -> bool:
        """Whether the check has counterexamples and the judge failed on every one."""
        return bool(self.counterexamples) and all(r.failed for r in self.counterexamples)


@dataclass(frozen=True)
class Counterexample:
    """A deliberately wrong result on which a check's `judge` must return FAIL.

    **Arguments:**

    - `what`: what is wrong, in words, e.g. `"beta = 0 (infeasible)"`.
    - `corrupt`: `evidence -> evidence`, the measured evidence made wrong in that way. It gets
      a deep copy, so it may modify it in place (and return it).
    """

    what: str
    corrupt: Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    """A theorem of a paper checked on one instance.

    **Arguments:**

    - `theorem`: e.g. `"Woodworth Thm 1"`.
    - `instance`: e.g. `"d=40, N=10, alpha=0.1, D=2"`.
    - `measure`: `() -> evidence`, the computation (a dict of what the judge needs).
    - `judge`: `evidence -> CheckResult`, cheap and NaN-aware: a NaN, a failed run or a
      solver status other than optimal in the evidence must give FAIL.
    - `counterexamples`: at least one `Counterexample`.
    - `paper`: report grouping key, the same as `Experiment.paper`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.experiments import Check, CheckResult, Counterexample, nan_at
    >>> def judge(evidence):
    ...     error = float(np.max(np.abs(evidence["beta"] - [0.0, 1.0])))
    ...     return CheckResult.compare("Toy", "d=2", "max |beta - beta*|", error, 1e-9)
    >>> check = Check("Toy", "d=2", lambda: {"beta": np.array([0.0, 1.0])}, judge,
    ...               (Counterexample("a diverged run", nan_at("beta")),))
    >>> result = check.run()
    >>> result.passed, [(c.what, c.failed) for c in result.counterexamples]
    (True, [('a diverged run', True)])
    >>> Check("Toy", "d=2", lambda: {}, judge)
    Traceback (most recent call last):
    ...
    ValueError: Check 'Toy' (d=2) needs at least one counterexample: a check ...

    ```
    """

    theorem: str
    instance: str
    measure: Callable[[], Evidence]
    judge: Callable[[Evidence], CheckResult]
    counterexamples: tuple[Counterexample, ...] = ()
    paper: str = ""

    def __post_init__(self):
        if not callable(self.measure) or not callable(self.judge):
            raise ValueError(f"Check {self.theorem!r} ({self.instance}): measure and judge must "
                             "be callables")
        if not self.counterexamples:
            raise ValueError(f"Check {self.theorem!r} ({self.instance}) needs at least one "
                             "counterexample: a check that cannot fail is a unit test")
        if not all(isinstance(c, Counterexample) for c in self.counterexamples):
            raise ValueError(f"Check {self.theorem!r}: counterexamples must be Counterexample")

    def run(self) -> CheckResult:
        """Measure, judge, and judge every counterexample (see `run_checks`)."""
        return _run_one(self)


def run_checks(checks: list[Check], *, progress: bool = True) -> list[CheckResult]:
    """Run every check and its counterexamples; a check that raises gives a failed result
    (never aborts the run).

    **Arguments:**

    - `checks`: the checks, run in order.
    - `progress`: show a rich progress bar.

    **Returns:**

    One `CheckResult` per check, in order, with `paper` filled from the check and
    `counterexamples` holding the judge's verdict on each; `passed` only if the evidence passed
    and every counterexample failed.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.experiments import Check, CheckResult, Counterexample, run_checks, setting
    >>> def measure():
    ...     x = np.arange(1.0, 4.0)
    ...     return {"x": x, "y": 2 * x}
    >>> def judge(evidence):
    ...     x, y = evidence["x"], evidence["y"]
    ...     slope = float(x @ y / (x @ x))
    ...     return CheckResult.compare("Slope", "y = 2x", "|slope - 2|", abs(slope - 2), 1e-12)
    >>> wrong = Counterexample("slope 2.1", setting("y", lambda e: 2.1 * e["x"]))
    >>> [result] = run_checks([Check("Slope", "y = 2x", measure, judge, (wrong,))], progress=False)
    >>> result.passed, result.error
    (True, 0.0)
    >>> [(c.what, round(c.error, 6), c.failed) for c in result.counterexamples]
    [('slope 2.1', 0.1, True)]

    ```
    """
    results = []
    with progress_bar("checks", len(checks), progress) as advance:
        for check in checks:
            results.append(_run_one(check))
            advance()
    return results


def _run_one(check: Check) -> CheckResult:
    try:
        evidence = check.measure()
        if not isinstance(evidence, Mapping):
            raise TypeError(f"Check.measure must return a dict, got {type(evidence).__name__}")
        result = _judged(check, evidence)
    except Exception as e:
        detail = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
        nan = float("nan")
        return CheckResult(
            check.theorem, check.instance, "(raised)", nan, nan, False, detail, check.paper
        )
    refutations = tuple(_refute(check, evidence, c) for c in check.counterexamples)
    standing = [r.what for r in refutations if not r.failed]
    detail = result.detail
    if standing:
        detail = (f"counterexample passed too, so the check cannot tell: {'; '.join(standing)}"
                  + (f". {detail}" if detail else ""))
    return replace(result, paper=result.paper or check.paper, counterexamples=refutations,
                   passed=result.passed and not standing, detail=detail)


def _judged(check: Check, evidence: Evidence) -> CheckResult:
    result = check.judge(evidence)
    if not isinstance(result, CheckResult):
        raise TypeError(f"Check.judge must return a CheckResult, got {type(result).__name__}")
    return result


def _refute(check: Check, evidence: Evidence, counterexample: Counterexample) -> Refutation:
    """The judge's verdict on one corrupted copy of the evidence; a judge that raises on it
    counts as a FAIL (as `run_checks` counts a check that raises), with the exception kept."""
    try:
        wrong = counterexample.corrupt(copy.deepcopy(dict(evidence)))
        result = _judged(check, wrong)
    except Exception as e:
        return Refutation(counterexample.what, float("nan"), True, f"{type(e).__name__}: {e}")
    return Refutation(counterexample.what, result.error, not result.passed, result.detail)


def worst(errors: Mapping[str, float]) -> tuple[float, list[str]]:
    """The largest of named errors, NaN-aware: a NaN or infinite error is not dropped (as
    Python's `max` drops NaN) but makes the result NaN and is named.

    **Arguments:**

    - `errors`: run name -> its error, e.g. `{"seed 0": 1e-9, "seed 1": nan}`.

    **Returns:**

    `(largest error, ["<name>: error is <value>", ...] for every non-finite error)`; the
    largest error is NaN when any is non-finite or when there are none.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import worst
    >>> worst({"seed 0": 1e-9, "seed 1": 3e-9})
    (3e-09, [])
    >>> worst({"seed 0": 1e-9, "seed 1": float("nan")})
    (nan, ['seed 1: error is nan'])

    ```
    """
    values = np.array([float(v) for v in errors.values()], dtype=float)
    bad = [f"{name}: error is {float(v)}" for name, v in errors.items()
           if not math.isfinite(float(v))]
    if values.size == 0 or bad:
        return float("nan"), bad or ["no runs"]
    return float(values.max()), []


def nan_at(key: str, index: int | tuple[int, ...] = 0) -> Callable[[dict], dict]:
    """A `Counterexample.corrupt` that puts a NaN into entry `index` of `evidence[key]`
    (a diverged run), or replaces it with NaN if it is a number.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.experiments import nan_at
    >>> nan_at("losses", 1)({"losses": np.array([1.0, 0.5, 0.1])})
    {'losses': array([1. , nan, 0.1])}
    >>> nan_at("error")({"error": 1e-9})
    {'error': nan}

    ```
    """

    def corrupt(evidence: dict) -> dict:
        value = evidence[key]
        if np.ndim(value) == 0:
            evidence[key] = float("nan")
        else:
            array = np.array(value, dtype=float)
            array[index] = np.nan
            evidence[key] = array
        return evidence

    return corrupt


def setting(key: str, value: Any) -> Callable[[dict], dict]:
    """A `Counterexample.corrupt` that sets `evidence[key] = value` (a wrong limit, a
    solver status other than optimal, a run that stopped early).

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import setting
    >>> setting("status", "optimal_inaccurate")({"status": "optimal", "x": 1.0})
    {'status': 'optimal_inaccurate', 'x': 1.0}
    >>> setting("x", lambda evidence: 2 * evidence["x"])({"status": "optimal", "x": 1.0})
    {'status': 'optimal', 'x': 2.0}

    ```
    """

    def corrupt(evidence: dict) -> dict:
        evidence[key] = value(evidence) if callable(value) else value
        return evidence

    return corrupt
