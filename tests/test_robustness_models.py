"""Input robustness of the functions that take models, particles or callables
(`kernelrich.ntk` empirical NTK and training, `kernelrich.meanfield` particles and their
dynamics, `kernelrich.barron` greedy / training / unit search): the property and the
corruptions of `test_robustness_api`, applied to their array arguments (data, initial
particles, parameters inside a model)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import barron, meanfield, ntk
from test_robustness_api import _REJECTED, Entry, _inputs, robustness_tests


def _mlp() -> ntk.MLP:
    return ntk.MLP((2, 4, 1), key=jax.random.PRNGKey(0))


def _tanh_apply(params, X):
    return jnp.tanh(X @ params["W"]) @ params["v"]


def _tanh_params() -> dict:
    rng = np.random.default_rng(0)
    return {"W": rng.normal(size=(2, 3)), "v": rng.normal(size=3)}


def _net() -> meanfield.TwoLayerNet:
    X = _inputs(6, 2)
    return meanfield.TwoLayerNet(X, np.tanh(X[:, 0]))


def _particles(m: int = 4, p: int = 2) -> meanfield.Particles:
    rng = np.random.default_rng(0)
    return meanfield.Particles(jnp.asarray(rng.normal(size=m)),
                               jnp.asarray(rng.normal(size=(m, p))))


def _barron_data() -> dict:
    X = _inputs(8, 2) * 0.5
    return {"X": X, "y": np.tanh(X[:, 0])}


def _search() -> dict:
    X = _inputs(6, 2)
    rng = np.random.default_rng(0)
    return {"theta0": rng.normal(size=(3, 3)), "X": X, "w": np.full(6, 1 / 6),
            "h": np.tanh(X[:, 0]), "u": np.zeros(6), "bound": 2.0, "alpha_fixed": -1.0,
            "steps": 5, "learning_rate": 0.1}


_ntk_shape = lambda kw: (len(kw["X1"]), len(kw["X1"]) if kw.get("X2") is None  # noqa: E731
                         else len(kw["X2"]))
_greedy = {"n": 2, "restarts": 2, "steps": 5}
_mf = ("particles.w", "particles.theta")

REGISTRY: list[Entry] = [
    # kernelrich.ntk: the empirical NTK of an MLP (structured route) and of any callable
    Entry(ntk.empirical_ntk, lambda: {"apply": ntk.apply_mlp, "params": _mlp(),
                                      "X1": _inputs(3, 2), "X2": _inputs(2, 2)},
          ("X1", "X2", "params.weights.0"), _ntk_shape, label="mlp"),
    Entry(ntk.empirical_ntk, lambda: {"apply": _tanh_apply, "params": _tanh_params(),
                                      "X1": _inputs(3, 2), "method": "jacobian"},
          ("X1", "params.W"), _ntk_shape, label="callable", slow=True),
    Entry(ntk.train_gd, lambda: {"model": _mlp(), "X": _inputs(4, 2), "y": np.ones(4),
                                 "lr": 0.1, "steps": 3, "X_eval": _inputs(2, 2)},
          ("X", "y", "X_eval", "model.weights.1"), lambda kw: (2, 2),
          lambda r: r.predictions, slow=True),
    # kernelrich.meanfield: particles on a two-layer network
    Entry(meanfield.predict, lambda: {"model": _net(), "particles": _particles()}, _mf,
          lambda kw: (6,)),
    Entry(meanfield.objective, lambda: {"model": _net(), "particles": _particles()}, _mf,
          lambda kw: ()),
    Entry(meanfield.velocity, lambda: {"model": _net(), "particles": _particles()}, _mf,
          lambda kw: (4, 2), lambda r: r[1].theta),
    Entry(meanfield.particle_descent,
          lambda: {"model": _net(), "init": _particles(), "step": 0.1, "num_steps": 4},
          ("init.w", "init.theta"), lambda kw: (2, 4, 2), lambda r: r.theta, slow=True),
    # the flow: huge / tiny magnitudes run the ODE solver up to max_steps (legitimate work
    # on valid, badly scaled input), so only the kinds refused up front are tried
    Entry(meanfield.particle_flow,
          lambda: {"model": _net(), "init": _particles(), "times": np.array([0.0, 0.1]),
                   "rtol": 1e-5, "atol": 1e-7}, ("init.w", "init.theta", "times"),
          lambda kw: (2, 4, 2), lambda r: r.theta, slow=True, kinds=_REJECTED),
    # kernelrich.barron: greedy, least squares and the unit search
    Entry(barron.greedy_fit, lambda: {**_barron_data(), "c0": 0.0, "C": 2.0, **_greedy},
          ("X", "y", "weights"), lambda kw: (2,), lambda r: r.errors, slow=True),
    Entry(barron.greedy_approximation,
          lambda: {"f": lambda x: np.tanh(x[:, 0]), "X": _inputs(8, 2) * 0.5, "C": 2.0,
                   **_greedy}, ("X", "weights"), lambda kw: (2,), lambda r: r.errors,
          slow=True),
    Entry(barron.train_on_values, lambda: {**_barron_data(), "n": 2, "restarts": 1,
                                           "max_iter": 20}, ("X", "y", "weights"), None,
          lambda r: r.network.c),
    Entry(barron.train_network, lambda: {"f": lambda x: np.tanh(x[:, 0]),
                                         "X": _inputs(8, 2) * 0.5, "n": 2, "restarts": 1,
                                         "max_iter": 20}, ("X", "weights")),
    Entry(barron.search_unit, _search, ("theta0", "X", "w", "h", "u"), lambda kw: (2,),
          lambda r: r.a, slow=True),
]

test_valid_arguments_work, test_malformed_argument, test_malformed_argument_slow = (
    robustness_tests(REGISTRY))
