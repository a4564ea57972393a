"""Barron 1993, §IX: closed-form Barron constants C_f against the numerical Fourier integral
(`barron_constant_numerical`), for bumps, translations, dilations, combinations and ridges."""

from __future__ import annotations

import numpy as np

from ...barron import (
    Combination,
    Dilated,
    GaussianBump,
    Ridge,
    Target,
    Translated,
    barron_constant,
    barron_constant_numerical,
)
from ...experiments import Experiment, Param, Table
from ._common import memo_call


def constant_targets() -> dict[str, Target]:
    """Named low-dimensional targets with a closed-form C_f (exact or an upper bound)."""
    z1, z2 = np.zeros(1), np.zeros(2)
    return {
        "bump d=1": GaussianBump(z1),
        "bump d=2": GaussianBump(z2),
        "bump d=1, center 0.7, scale 0.6, amplitude -1.5": GaussianBump([0.7], 0.6, -1.5),
        "dilated bump d=2, f(1.7 x)": Dilated(GaussianBump(z2), 1.7),
        "translated bump d=2, scale 0.8": Translated(GaussianBump(z2, 0.8), [0.5, -0.3]),
        "same-centre sum d=2": Combination([1.0, 0.5], [GaussianBump(z2),
                                                        GaussianBump(z2, 0.5)]),
        "ridge d=1, exp(-(1.3 x + 0.4)^2 / 2)": Ridge([1.3], 0.4, "gaussian"),
        "shifted sum d=1 (bound)": Combination([1.0, 0.5], [GaussianBump(z1),
                                                            GaussianBump([1.0], 0.5)]),
    }


def points(quick: bool) -> list[dict]:
    return [{"target": name, "rtol": RTOL} for name in constant_targets()]


RTOL = 1e-7
"""Relative tolerance of the numerical Fourier integral."""


def setup(quick: bool) -> list[Param]:
    return [
        Param.paper("C_f", "int |w| |F(dw)|, f(x) = int e^(i w.x) F(dw)", "Barron 1993, eq. (3)"),
        Param.paper("closed forms", "Gaussian E|Z|; translation invariant; dilation f(a x): "
                    "|a| C_f; ridge g(a.x): |a| C_g; sums: at most the sum", "Barron 1993, §IX "
                    "(derived from the definition; which examples §IX lists: uncertain)"),
        Param.choice("targets", list(constant_targets()), "one instance of each rule, d <= 2"),
        Param.choice("numerical route", f"zero-padded FFT on a grid, adaptive refinement to "
                     f"rtol {RTOL:g}", "independent of the closed forms; its error estimate is "
                     "the tolerance of the check"),
    ]


def _compute(config: dict) -> dict:
    f = constant_targets()[config["target"]]
    num = barron_constant_numerical(f, f.d, rtol=config["rtol"])
    return {"d": f.d, "closed_form": barron_constant(f), "exact": bool(f.exact),
            "numerical": num.value, "error_estimate": num.error, "levels": len(num.history),
            "converged": bool(num.converged)}


def compute(config: dict) -> dict:
    """The numerical C_f of one target against its closed form."""
    return memo_call(_compute, config)


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = [{"target": r["target"], "d": r["d"], "closed form": r["closed_form"],
             "exact": r["exact"], "numerical": r["numerical"],
             "|difference|": abs(r["numerical"] - r["closed_form"]),
             "error estimate": r["error_estimate"]} for r in table]
    return [("C_f closed form (exact, or the triangle-inequality bound) against the numerical "
             f"Fourier integral (zero-padded FFT, adaptive refinement, rtol {RTOL:g}):", rows)]


EXPERIMENT = Experiment(
    name="barron-constants",
    paper="barron1993",
    title="Barron constants: closed forms against numerical Fourier integrals",
    claim=("C_f = E|Z| for the Gaussian, is translation invariant, scales with dilations, "
           "adds over same-phase combinations and is |a| C_g for ridge functions."),
    points=points,
    compute=compute,
    tables=tables,
    schema=2,
    setup=setup,
    full_time="under 1 s (measured end to end; docs/benchmarks.md)",
)
