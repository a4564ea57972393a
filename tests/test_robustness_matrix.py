"""Input robustness of `kernelrich.matrix` (the property and the corruptions of
`test_robustness_api`): problems, models, dynamics, baselines and metrics, with malformed
arrays both in plain arguments and inside `Sensing` / `Completion` / `Factorisation` objects
built without their checked constructors."""

from __future__ import annotations

import functools

import numpy as np

from kernelrich import matrix
from test_robustness_api import _REJECTED, Entry, robustness_tests

_N, _M = 3, 5  # 3 x 3 matrices, 5 measurements


def _truth() -> np.ndarray:
    return matrix.low_rank_truth(0, _N, 1)


def _A() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((_M, _N, _N)) / _N


def _raw_sensing() -> matrix.Sensing:
    """A Sensing built directly (no checks), as a user may."""
    A = _A()
    return matrix.Sensing(A, np.einsum("mij,ij->m", A, _truth()), None)


def _raw_completion() -> matrix.Completion:
    rows, cols = np.array([0, 0, 1, 2, 2]), np.array([0, 2, 1, 0, 2])
    return matrix.Completion(rows, cols, _truth()[rows, cols], None, (_N, _N))


def _sym_model(scale: float = 0.1) -> matrix.Factorisation:
    return matrix.symmetric_factor(0, _N, _N, scale)


def _deep_model(depth: int = 2) -> matrix.Factorisation:
    return matrix.deep_factors(0, _N, depth, 0.1)


@functools.cache
def _nuclear() -> matrix.NuclearNormResult:
    return matrix.min_nuclear_norm(matrix.sensing(_A(), _raw_sensing().y))


def _positive_design() -> dict:
    X = np.random.default_rng(3).uniform(0.5, 1.5, size=(2, 4))
    return {"X": X, "y": X @ np.ones(4)}


_matrix_shape = lambda kw: (_N, _N)  # noqa: E731
_gd = {"step": 0.05, "steps": 5, "chunk": 5}
_problem_args = ("problem.A", "problem.y")
_model_args = ("model.factors.0",)

REGISTRY: list[Entry] = [
    # problems and random instances
    Entry(matrix.sensing, lambda: {"A": _A(), "y": np.ones(_M), "truth": _truth()},
          ("A", "y", "truth")),
    Entry(matrix.sensing, lambda: {"A": _A() + _A().transpose(0, 2, 1), "y": np.ones(_M),
                                   "symmetric": True}, ("A",), label="symmetric"),
    Entry(matrix.completion,
          lambda: {"rows": np.array([0, 1, 2]), "cols": np.array([1, 2, 0]),
                   "shape": (_N, _N), "y": np.ones(3), "truth": _truth()},
          ("rows", "cols", "shape", "y", "truth")),
    Entry(matrix.low_rank_truth, lambda: {"seed": 0, "n": 4, "rank": 2}, ("n", "rank"),
          lambda kw: (4, 4)),
    Entry(matrix.gaussian_sensing, lambda: {"seed": 0, "truth": _truth(), "m": _M},
          ("truth",)),
    Entry(matrix.gaussian_sensing,
          lambda: {"seed": 0, "truth": matrix.low_rank_truth(0, _N, 1, psd=True), "m": _M,
                   "symmetric": True}, ("truth",), label="symmetric"),
    Entry(matrix.random_completion, lambda: {"seed": 0, "truth": _truth(), "m": 4},
          ("truth",)),
    Entry(matrix.diagonal_sensing, lambda: {**_positive_design(), "truth_diagonal": np.ones(4)},
          ("X", "y", "truth_diagonal")),
    # models and initialisations
    Entry(matrix.symmetric_factor, lambda: {"seed": 0, "n": _N, "d": 2, "scale": 0.5},
          ("scale", "n", "d"), None, lambda r: r.matrix()),
    Entry(matrix.deep_factors, lambda: {"seed": 0, "n": _N, "depth": 3, "scale": 0.5},
          ("scale", "n", "depth"), None, lambda r: r.matrix()),
    # metrics
    Entry(matrix.effective_rank, lambda: {"W": _truth()}, ("W",), lambda kw: ()),
    Entry(matrix.nuclear_norm, lambda: {"W": _truth()}, ("W",), lambda kw: ()),
    Entry(matrix.reconstruction_error, lambda: {"W": _truth() + 0.1, "truth": _truth()},
          ("W", "truth"), lambda kw: ()),
    Entry(matrix.relative_error, lambda: {"W": _truth() + 0.1, "truth": _truth()},
          ("W", "truth"), lambda kw: ()),
    # losses (concrete calls are checked; traced ones inside jit/grad are not)
    Entry(matrix.training_loss,
          lambda: {"model": _sym_model(), "problem": _raw_sensing(), "scale": 1.0},
          ("model.factors.0", "problem.A", "problem.y", "scale"), lambda kw: ()),
    Entry(matrix.end_to_end_loss,
          lambda: {"W": _truth(), "problem": _raw_sensing(), "scale": 1.0},
          ("W", "problem.A", "problem.y", "scale"), lambda kw: ()),
    # Theorem 3 and the commuting limit
    Entry(matrix.singular_value_rates,
          lambda: {"problem": _raw_sensing(), "W": _truth() + np.diag([0.3, 0.2, 0.1]),
                   "depth": 3}, ("W", "problem.A", "problem.y"), lambda kw: (_N,)),
    Entry(matrix.singular_basis_gradient,
          lambda: {"problem": _raw_sensing(), "W": _truth() + np.diag([0.3, 0.2, 0.1])},
          ("W", "problem.A", "problem.y"), lambda kw: (_N, _N)),
    Entry(matrix.gradient_alignment,
          lambda: {"problem": _raw_completion(), "W": _truth() + np.diag([0.3, 0.2, 0.1])},
          ("W", "problem.y", "problem.rows"), lambda kw: (4,)),
    Entry(matrix.commuting_limit, lambda: {**_positive_design(), "alpha": 0.1}, ("X", "y"),
          lambda kw: (4,)),
    Entry(matrix.min_trace_diagonal, _positive_design, ("X", "y"), lambda kw: (4,)),
    # dynamics: compiled descent (each new shape or dtype compiles: slow)
    Entry(matrix.gradient_descent,
          lambda: {"problem": _raw_sensing(), "model": _sym_model(), **_gd},
          _problem_args + _model_args, _matrix_shape, lambda r: r.matrix, slow=True),
    Entry(matrix.gradient_descent,
          lambda: {"problem": _raw_completion(), "model": _deep_model(), **_gd,
                   "optimizer": "group_rmsprop"},
          ("problem.y", "problem.rows", "model.factors.1"), _matrix_shape,
          lambda r: r.matrix, slow=True, label="group_rmsprop"),
    Entry(matrix.gradient_descent_batch,
          lambda: {"problem": _raw_sensing(), "models": [_sym_model(), _sym_model(0.2)],
                   "step": np.array([0.05, 0.02]), "steps": 5, "chunk": 5},
          ("problem.y", "models.1.factors.0", "step"), lambda kw: (2, _N, _N),
          lambda r: np.stack([m.matrix for m in r]), slow=True),
    # the flow: huge / tiny magnitudes run the ODE solver up to max_steps (legitimate work
    # on valid, badly scaled input), so only the kinds refused up front are tried
    Entry(matrix.gradient_flow,
          lambda: {"problem": _raw_sensing(), "model": _sym_model(),
                   "times": np.array([0.5, 1.0]), "rtol": 1e-6, "atol": 1e-8},
          _problem_args + _model_args + ("times",), None, lambda r: r.matrices[-1],
          slow=True, kinds=_REJECTED),
    # the min-nuclear-norm baseline (cvxpy) and its KKT residuals
    Entry(matrix.min_nuclear_norm, lambda: {"problem": _raw_sensing()}, _problem_args,
          _matrix_shape, lambda r: r.X, slow=True),
    Entry(matrix.kkt_residuals, lambda: {"problem": _raw_sensing(), "result": _nuclear()},
          ("problem.y", "result.X", "result.multiplier")),
]

test_valid_arguments_work, test_malformed_argument, test_malformed_argument_slow = (
    robustness_tests(REGISTRY))
