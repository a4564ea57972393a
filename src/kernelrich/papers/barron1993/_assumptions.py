"""What the Barron checks assume beyond the experiments' own setups (listed in the report's
Assumptions)."""

from __future__ import annotations

from ...experiments import Param
from . import _checks, _checks_estimation, _estimation

ASSUMPTIONS = [
    Param.uncertain("constants of Barron 1994's bound", 1,
                    "the paper's O-constants depend on lambda and the range b of the responses "
                    "(Theorem 2's gamma); the check uses C_f^2/n + n (d/N) log N, "
                    "i.e. 2 C_f ((d/N) log N)^(1/2), the form under which the abstract's "
                    "n* = C_f (N/(d log N))^(1/2) balances the two terms"),
    Param.choice("lambda of the estimator", _estimation.PENALTY,
                 "the noise variance; below Barron's hypothesis lambda > 5 b^2/3 (b: the range "
                 "of the responses, unbounded for Gaussian noise), so his Theorem 2 does not "
                 "cover this estimator literally"),
    Param.uncertain("estimator", "greedy path for each size n",
                    "stands in for Barron's least-squares estimator over a discretised "
                    "parameter set, which no algorithm computes"),
    Param.choice("level of the exponent's interval", _checks_estimation.LEVEL,
                 "the check requires the lower end above 1/2: shown, not merely not rejected"),
    Param.choice("slack of the greedy step inequality", _checks.STEP_RTOL,
                 "relative to e_(k-1); float64 rounding of the two errors"),
    Param.choice("tolerance of the C_f check", "the numerical integral's error estimate",
                 "sum of the differences to three refinements of the grid"),
]
