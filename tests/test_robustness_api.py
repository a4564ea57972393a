"""Input robustness of the public API: every registered function, fed a malformed array in one
argument (NaN, Inf, empty, wrong rank, wrong dtype, huge or tiny magnitudes), either returns
finite results of the right shape or raises a ValueError naming that argument. Never another
exception, a hang, a silent NaN, a RuntimeWarning on the way, or a complex value silently cast
to real (NumPy's ComplexWarning): both are errors here.

The registry `REGISTRY` holds one `Entry` per public function: a builder of valid keyword
arguments, which arguments may be corrupted, and the expected output shape. To cover a new
module, append entries (e.g. kernelrich.matrix, kernelrich.lazy).
"""

from __future__ import annotations

import dataclasses
import signal
import warnings
from collections.abc import Callable
from typing import Any

import equinox as eqx
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from kernelrich import barron, bias, diagonal, meanfield, ntk


@dataclasses.dataclass(frozen=True)
class Entry:
    """One public function under test.

    - `fn`: the function.
    - `valid`: builds valid keyword arguments (fresh each call).
    - `corrupt`: the array arguments to corrupt (one per example).
    - `shape`: `kwargs -> expected shape of the main output` (None: only finiteness is checked).
    - `output`: picks the main output array from the result (default: the result itself).
    - `slow`: run under `-m slow` only.
    - `kinds`: the corruptions tried (default all of `KINDS`).
    - `label`: a suffix of the test id, for several entries of one function.

    An argument to corrupt may be a path into a model or problem, `"model.factors.0"`:
    attribute names and sequence indices separated by dots. The array there is replaced
    (the container rebuilt without its constructor's checks, as a user could) and the
    ValueError must name the root argument (`model`).
    """

    fn: Callable[..., Any]
    valid: Callable[[], dict[str, Any]]
    corrupt: tuple[str, ...]
    shape: Callable[[dict[str, Any]], tuple[int, ...]] | None = None
    output: Callable[[Any], Any] = lambda r: r
    slow: bool = False
    kinds: tuple[str, ...] | None = None
    label: str | None = None

    @property
    def name(self) -> str:
        base = f"{self.fn.__module__.split('.')[1]}.{self.fn.__name__}"
        return base if self.label is None else f"{base}[{self.label}]"


def _xy(N: int = 4, d: int = 6, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, d))
    return {"X": X, "y": X @ np.r_[1.0, -0.5, np.zeros(d - 2)]}


def _beta(d: int = 5) -> np.ndarray:
    return np.linspace(-1.0, 1.0, d) + 0.1


def _inputs(n: int = 3, d: int = 2) -> np.ndarray:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _gram(n: int = 4) -> np.ndarray:
    rng = np.random.default_rng(2)
    A = rng.normal(size=(n, n))
    return A @ A.T / n + np.eye(n)


def _sigmoid_target(x):
    return np.tanh(x[:, 0])


def _same(arg: str) -> Callable[[dict[str, Any]], tuple[int, ...]]:
    """Elementwise functions: the output has the shape of the argument `arg`."""
    return lambda kw: np.shape(kw[arg])


# inputs every function must refuse before any work (cheap to try on the ODE solvers, where
# huge or tiny magnitudes run the solver up to max_steps, minutes per call)
_REJECTED = ("nan", "inf", "-inf", "empty", "rank+", "str", "object")

_shape_d = lambda kw: (kw["X"].shape[1],)  # noqa: E731
_gram_shape = lambda kw: (len(kw["X1"]), len(kw["X1"]))  # noqa: E731

REGISTRY: list[Entry] = [
    # kernelrich.diagonal
    Entry(diagonal.flow_limit, lambda: {**_xy(), "alpha": 0.5}, ("X", "y", "w0"), _shape_d),
    Entry(diagonal.gradient_descent, lambda: {**_xy(), "alpha": 0.5, "step": 1e-2, "steps": 20},
          ("X", "y", "w0"), _shape_d, lambda r: r.beta, slow=True),
    Entry(diagonal.gradient_flow,
          lambda: {**_xy(), "alpha": 0.5, "times": np.array([0.0, 0.5, 1.0])},
          ("X", "y", "w0", "times"), None, lambda r: r.beta, slow=True, kinds=_REJECTED),
    Entry(diagonal.parameter_flow,
          lambda: {**_xy(), "alpha": 0.5, "times": np.array([0.0, 0.5, 1.0])},
          ("X", "y", "w0", "times"), None, lambda r: r.beta, slow=True, kinds=_REJECTED),
    # kernelrich.bias
    Entry(bias.q, lambda: {"z": np.linspace(-0.9, 0.9, 5)}, ("z",), _same("z")),
    Entry(bias.q_D, lambda: {"u": np.linspace(-0.9, 0.9, 5), "depth": 3}, ("u",), _same("u")),
    Entry(bias.Q, lambda: {"beta": _beta(), "alpha": 0.5}, ("beta", "w0"), lambda kw: ()),
    Entry(bias.Q_D, lambda: {"beta": _beta(), "alpha": 0.5, "depth": 3}, ("beta", "w0"),
          lambda kw: ()),
    Entry(bias.R, lambda: {"beta": _beta(), "alpha": 0.5}, ("beta", "w0"), lambda kw: ()),
    Entry(bias.min_l1, _xy, ("X", "y"), _shape_d),
    Entry(bias.min_l2, _xy, ("X", "y"), _shape_d),
    Entry(bias.kernel_alpha_threshold, lambda: {**_xy(), "eps": 0.1}, ("X", "y"), lambda kw: ()),
    Entry(bias.rich_alpha_threshold, lambda: {**_xy(), "eps": 0.1}, ("X", "y"), lambda kw: ()),
    # kernelrich.ntk
    Entry(ntk.infinite_nngp, lambda: {"X1": _inputs(), "depth": 2}, ("X1", "X2"), _gram_shape),
    Entry(ntk.infinite_ntk, lambda: {"X1": _inputs(), "depth": 2}, ("X1", "X2"), _gram_shape),
    Entry(ntk.infinite_kernels, lambda: {"X1": _inputs(), "depth": 2}, ("X1", "X2"),
          _gram_shape, lambda r: r[1]),
    Entry(ntk.trained_gp,
          lambda: {"nngp": _gram(5), "ntk": _gram(5) + np.eye(5), "y": np.ones(3), "t": 1.0},
          ("nngp", "ntk", "y")),
    Entry(ntk.kernel_flow, lambda: {"ntk_train": _gram(), "y": np.ones(4), "t": 1.0},
          ("ntk_train", "y", "f0"), None),
    # kernelrich.meanfield
    Entry(meanfield.dirichlet, lambda: {"t": np.linspace(0, 1, 7), "cutoff": 3}, ("t",),
          _same("t")),
    Entry(meanfield.fourier_features, lambda: {"theta": np.linspace(0, 1, 7), "cutoff": 2},
          ("theta",), None),
    Entry(meanfield.observe,
          lambda: {"positions": np.array([0.1, 0.5]), "masses": np.array([1.0, -0.5]),
                   "cutoff": 3}, ("positions", "masses"), None),
    # kernelrich.barron
    Entry(barron.fit_rate,
          lambda: {"x": np.array([10.0, 20.0, 40.0, 80.0]),
                   "risk": np.array([1.0, 0.52, 0.24, 0.13])}, ("x", "risk"), None,
          lambda r: np.array([r.slope])),
    Entry(barron.predicted_rate, lambda: {"N": np.array([10.0, 100.0]), "d": 2}, ("N",),
          _same("N")),
    Entry(barron.legendre_features,
          lambda: {"X": _inputs(4, 2) * 0.5, "indices": barron.graded_indices(2, 3),
                   "radius": 1.0}, ("X",), lambda kw: (4, 3)),
    Entry(barron.fixed_basis_approximation,
          lambda: {"f": _sigmoid_target, "X": _inputs(12, 2) * 0.5, "n_values": [2, 3]},
          ("X", "weights"), None, lambda r: np.asarray(r.errors), slow=True),
    Entry(barron.initial_units,
          lambda: {"rng": np.random.default_rng(0), "X": _inputs(5, 2), "restarts": 3},
          ("X",), lambda kw: (3, 3)),
]

# ---- corruptions ----


def _corrupted(value: Any, kind: str, rng: np.random.Generator) -> Any:
    arr = np.asarray(value, dtype=np.float64) if value is not None else np.ones(5)
    flat = arr.copy().reshape(-1)
    if kind in ("nan", "inf", "-inf"):
        flat[rng.integers(flat.size)] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[kind]
        return flat.reshape(arr.shape)
    if kind == "empty":
        return np.zeros((0,) * max(arr.ndim, 1))
    if kind == "rank+":
        return arr[None, ...]
    if kind == "rank-":
        return flat[0] if arr.ndim == 1 else flat
    if kind == "str":
        return np.full(arr.shape, "a")
    if kind == "object":
        return np.array([None] * max(flat.size, 1), dtype=object)
    if kind == "complex":
        return arr + 1j
    if kind == "huge":
        return arr * 1e300
    if kind == "tiny":
        return arr * 1e-300
    raise AssertionError(kind)


KINDS = ("nan", "inf", "-inf", "empty", "rank+", "rank-", "str", "object", "complex", "huge",
         "tiny")


def _arrays(result: Any) -> list[np.ndarray]:
    if dataclasses.is_dataclass(result):
        result = [getattr(result, f.name) for f in dataclasses.fields(result)]
    if isinstance(result, dict):
        result = list(result.values())
    if isinstance(result, list | tuple):
        return [a for r in result for a in _arrays(r)]
    if isinstance(result, bool | str | type(None)) or callable(result):
        return []
    arr = np.asarray(result)
    return [arr] if arr.dtype.kind in "fciu" else []


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _get(obj: Any, part: str) -> Any:
    if isinstance(obj, dict):
        return obj[part]
    return obj[int(part)] if isinstance(obj, list | tuple) else getattr(obj, part)


def _set(obj: Any, path: list[str], value: Any) -> Any:
    """`obj` with the node at `path` replaced by `value` (containers copied, not mutated)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    new = _set(_get(obj, head), rest, value)
    if isinstance(obj, list | tuple):
        items = list(obj)
        items[int(head)] = new
        return type(obj)(items)
    if isinstance(obj, dict):
        return {**obj, head: new}
    if isinstance(obj, eqx.Module):
        return eqx.tree_at(lambda o: getattr(o, head), obj, replace=new,
                           is_leaf=lambda x: x is None)
    return dataclasses.replace(obj, **{head: new})


def check_entry(entry: Entry, arg: str, kind: str, seed: int) -> None:
    """The property: finite correct-shaped output, or a ValueError naming `arg` (its root
    argument for a path such as `model.factors.0`), with no RuntimeWarning or ComplexWarning
    on the way."""
    kwargs = entry.valid()
    root, *path = arg.split(".")
    rng = np.random.default_rng(seed)
    if path:
        leaf = kwargs[root]
        for part in path:
            leaf = _get(leaf, part)
        kwargs[root] = _set(kwargs[root], path, _corrupted(leaf, kind, rng))
    else:
        kwargs[arg] = _corrupted(kwargs.get(arg), kind, rng)
    arg = root
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            result = entry.fn(**kwargs)
    except ValueError as e:
        assert arg in str(e), f"{entry.name}({arg}={kind}): ValueError not naming {arg!r}: {e}"
        return
    except _Timeout:
        raise AssertionError(f"{entry.name}({arg}={kind}) hung for 60 s") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    for a in _arrays(result):
        assert np.isfinite(a).all(), f"{entry.name}({arg}={kind}) returned non-finite {a}"
    if entry.shape is not None:
        expected = entry.shape(kwargs)
        got = np.shape(entry.output(result))
        assert got == expected, f"{entry.name}({arg}={kind}) returned shape {got}"


def _params(registry: list[Entry], slow: bool):
    return [
        pytest.param(e, a, k, id=f"{e.name}-{a}-{k}")
        for e in registry
        if e.slow == slow
        for a in e.corrupt
        for k in (e.kinds or KINDS)
    ]


# hypothesis varies where the bad entry sits (the seed); every kind runs for every argument
_SETTINGS = settings(max_examples=3, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])


def robustness_tests(registry: list[Entry]):
    """The three tests of a registry (valid arguments; malformed ones, fast and slow), to be
    bound to `test_*` names in a test module."""

    @pytest.mark.parametrize(
        "entry",
        [pytest.param(e, id=e.name, marks=[pytest.mark.slow] if e.slow else [])
         for e in registry],
    )
    def test_valid_arguments_work(entry):
        for a in _arrays(entry.fn(**entry.valid())):
            assert np.isfinite(a).all()

    @pytest.mark.parametrize(("entry", "arg", "kind"), _params(registry, slow=False))
    @_SETTINGS
    @given(seed=st.integers(0, 2**16))
    def test_malformed_argument(entry, arg, kind, seed):
        check_entry(entry, arg, kind, seed)

    @pytest.mark.slow
    @pytest.mark.parametrize(("entry", "arg", "kind"), _params(registry, slow=True))
    @settings(_SETTINGS, max_examples=1)  # each call compiles: one example per argument, kind
    @given(seed=st.integers(0, 2**16))
    def test_malformed_argument_slow(entry, arg, kind, seed):
        check_entry(entry, arg, kind, seed)

    return test_valid_arguments_work, test_malformed_argument, test_malformed_argument_slow


test_valid_arguments_work, test_malformed_argument, test_malformed_argument_slow = (
    robustness_tests(REGISTRY))
