"""`kernel_fn(x1, x2=None, get=None)`: the infinite-width NNGP and NTK of a network, in blocks.

1. A static pass checks the inputs against every layer (shapes, forms) and decides the layout:
   only the position-position diagonal when no layer pools (`kernelrich.stax._state`).
2. The self pass computes K(x, x) for every input, in blocks of inputs, and records the
   variances each activation needs. Quadrature nodes are chosen from the largest of them
   (`kernelrich.ntk._quadrature.node_counts`); if that needs more nodes than the pass used,
   it runs again with them.
3. The pair pass computes K(x, x') on blocks of (rows, columns) whose temporaries stay
   within `memory_bytes` (`kernelrich.ntk._blocks.block_gram`: one compiled shape, the upper
   block triangle of a symmetric Gram). The diagonal of a symmetric Gram comes from the
   self pass (exact formulas at p = p', the `Dropout` rescaling).
"""

from __future__ import annotations

import functools
import warnings
from collections import namedtuple

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import bounded, finite_array, integer
from ..ntk._blocks import block_gram, padded
from ..ntk._quadrature import node_counts
from ._spec import Plan, Spec
from ._state import Ctx, State, input_kernel

GETS = ("nngp", "ntk")
MEMORY_BYTES = 2**25
"""Default budget for one block's temporaries (bytes); the result itself comes on top."""
_COPIES = 12
"""Live float64 arrays per covariance entry during a block (kernels, variances, temporaries),
measured on the Myrtle network (bench/bench_stax_speed.py)."""
_QUADRATURE_COPIES = 8
Kernels = namedtuple("Kernels", GETS)


class KernelWarning(UserWarning):
    """A computed kernel that cannot be a covariance (it breaks Cauchy-Schwarz)."""


class KernelFn:
    """The infinite-width kernels of a network (neural-tangents' `kernel_fn`).

    Call it as `kernel_fn(x1, x2=None, get=None, *, memory_bytes=None, batch_size=None)`:

    - `x1`: inputs (n1, *spatial, channels), NHWC for images; `x2`: (n2, ...) with the same
      per-example shape, or `None` for x2 = x1 (then the Gram is symmetric and its diagonal
      is the exact same-input kernel, as neural-tangents' `x1_is_x2`).
    - `get`: `"nngp"`, `"ntk"`, a tuple of them (a named tuple in that order), or `None`
      (both, as `Kernels(nngp, ntk)`).
    - `memory_bytes`: budget for one block's temporaries (default 32 MiB); the Gram is
      computed in blocks that fit.
    - `batch_size`: rows per block, overriding the budget.

    **Returns:** float64 NumPy arrays of shape (n1, n2) when the network's output has no
    spatial axes, else (n1, n2, H, H', W, W') (neural-tangents' layout).
    """

    def __init__(self, layer):
        self.layer = layer
        self._compiled: dict = {}

    def __repr__(self) -> str:
        return f"kernel_fn of {self.layer!r}"

    def __call__(self, x1, x2=None, get=None, *, memory_bytes: int | None = None,
                 batch_size: int | None = None):
        names, as_tuple = _gets(get)
        A = _data("x1", x1)
        B = A if x2 is None else _data("x2", x2)
        if B.shape[1:] != A.shape[1:]:
            raise ValueError(f"x2 must have the per-example shape of x1 {A.shape[1:]}, got "
                             f"x2.shape={B.shape}")
        symmetric = x2 is None or (B.shape == A.shape and np.array_equal(A, B))
        budget = MEMORY_BYTES if memory_bytes is None else integer(
            "memory_bytes", memory_bytes, minimum=2**16)
        if batch_size is not None:
            batch_size = integer("batch_size", batch_size, minimum=1)
        plan = Plan()
        plan.see(Spec(A.shape[1:]))
        out = self.layer.run(None, Spec(A.shape[1:]), Ctx("static", plan=plan), "")[1]
        if isinstance(out, list):
            raise ValueError(f"the network ends with {len(out)} branches: join them with "
                             "FanInSum or FanInConcat")
        run = _Run(self.layer, plan, out, "ntk" in names, budget, self._compiled)
        records, diag_a = run.self_pass(A)
        records_b, diag_b = (records, diag_a) if symmetric else run.self_pass(B)
        nodes = run.settle_nodes(A, B, records, records_b, symmetric)
        if nodes != run.nodes:  # more nodes needed than the guess: redo the self passes
            run.nodes = nodes
            records, diag_a = run.self_pass(A)
            records_b, diag_b = (records, diag_a) if symmetric else run.self_pass(B)
        K = run.pair_pass(A, B, records, records_b, symmetric, batch_size)
        if symmetric:
            index = np.arange(A.shape[0])
            K[index, index] = diag_a
        kernels = {name: _layout(np.ascontiguousarray(K[..., k]), len(out.spatial))
                   for k, name in enumerate(("nngp", "ntk")[:K.shape[-1]])}
        for name, value in kernels.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(f"the {name} kernel is not finite in float64 for these inputs "
                                 "(an overflow in the recursion): rescale x1, x2 or the "
                                 "weight variances")
        if symmetric and not out.spatial:
            _warn_if_not_psd(kernels, plan)
        chosen = [kernels[n] for n in names]
        if as_tuple or get is None:
            return namedtuple("Kernels", names)(*chosen)
        return chosen[0]


def _gets(get) -> tuple[tuple[str, ...], bool]:
    if get is None:
        return GETS, False
    if isinstance(get, str):
        get = (get,)
        as_tuple = False
    else:
        try:
            get = tuple(get)
        except TypeError:
            raise ValueError(f"get must be 'nngp', 'ntk', a tuple of them or None, got "
                             f"{get!r}") from None
        as_tuple = True
    if not get or any(g not in GETS for g in get):
        raise ValueError(f"get must be 'nngp', 'ntk', a tuple of them or None, got {get!r}")
    return get, as_tuple


def _data(name: str, x) -> np.ndarray:
    arr = bounded(name, finite_array(name, x))
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (n, ..., channels) with a batch axis, got "
                         f"shape {arr.shape}")
    return arr


def _layout(K: np.ndarray, ns: int) -> np.ndarray:
    """(n1, n2, *S, *S') -> neural-tangents' (n1, n2, H, H', W, W')."""
    if ns == 0:
        return K
    axes = [0, 1] + [a for i in range(ns) for a in (2 + i, 2 + ns + i)]
    return np.ascontiguousarray(np.transpose(K, axes))


class _Run:
    """One evaluation: the static plan, the passes, and their compiled functions."""

    def __init__(self, layer, plan: Plan, out: Spec, ntk: bool, budget: int, compiled: dict):
        self.layer, self.plan, self.out, self.ntk, self.budget = layer, plan, out, ntk, budget
        self._compiled = compiled
        self.diagonal = not plan.pooling and not out.spatial
        self.entries = plan.diagonal_entries if self.diagonal else plan.entries
        self.nodes = plan.nodes_fixed or (node_counts(1.0) if plan.quadrature else None)

    @property
    def chunk(self) -> int:
        if self.nodes is None:
            return 1 << 30
        per_entry = 8 * _QUADRATURE_COPIES * self.nodes[0] * self.nodes[1]
        return int(max(64, self.budget // per_entry))


    def _jit(self, kind: str):
        """The compiled pass for this configuration. Each configuration gets its own closure
        (its constants are baked into the trace), kept on the `KernelFn` across calls."""
        key = (kind, self.diagonal, self.ntk, self.nodes, self.chunk)
        if key not in self._compiled:
            config = (self.diagonal, self.ntk, self.nodes, self.chunk)
            fn = functools.partial(_self_pass if kind == "self" else _pair_pass, self.layer,
                                   config)
            self._compiled[key] = jax.jit(lambda *args: fn(*args))
        return self._compiled[key]

    def _rows(self, per_example_entries: int) -> int:
        return int(max(1, self.budget // (8 * _COPIES * per_example_entries)))

    def self_pass(self, X: np.ndarray):
        """(records: list of (n, *S) arrays, the same-input kernels (n, *out, k))."""
        n = X.shape[0]
        size = min(n, self._rows(self.plan.diagonal_entries if self.diagonal
                                 else self.plan.entries))
        fn = self._jit("self")
        records, diag = None, []
        for start in range(0, n, size):
            rec, out = fn(jax.device_put(padded(X, start, size)))
            stop = min(size, n - start)
            rec = [np.asarray(r)[:stop] for r in rec]
            records = [[r] for r in rec] if records is None else [
                acc + [r] for acc, r in zip(records, rec, strict=True)]
            diag.append(np.asarray(out)[:stop])
        return [np.concatenate(r) for r in records], np.concatenate(diag)

    def settle_nodes(self, A, B, records_a, records_b, symmetric: bool):
        """Quadrature nodes for the largest variance any activation sees."""
        if not self.plan.quadrature or self.plan.nodes_fixed:
            return self.nodes
        largest = max([float(np.max(r)) for r in records_a + records_b if r.size] + [0.0])
        return tuple(max(a, b) for a, b in zip(node_counts(largest), self.nodes, strict=True))

    def pair_pass(self, A, B, records_a, records_b, symmetric: bool, batch_size):
        size = batch_size or int(max(1, np.sqrt(self.budget / (8 * _COPIES * self.entries))))
        spatial = self.out.spatial
        k = 2 if self.ntk else 1
        fn = self._jit("pair")

        def rows(X, R):
            def select(block):
                index = np.asarray(block)
                return (jax.device_put(X[index]), [jax.device_put(r[index]) for r in R])
            return select

        tail = spatial + spatial + (k,)
        return block_gram(rows(A, records_a), rows(B, records_b), fn,
                          np.arange(A.shape[0]), np.arange(B.shape[0]), size=size,
                          symmetric=symmetric and not spatial, tail=tail)


def _ctx(mode: str, config, records=()) -> Ctx:
    diagonal, ntk, nodes, chunk = config
    return Ctx(mode, diagonal=diagonal, ntk=ntk, nodes=nodes, chunk=chunk,
               records=list(records))


def _finish(state: State, ntk: bool):
    nngp = state.nngp
    theta = state.ntk if state.ntk is not None else jnp.zeros_like(nngp)
    return jnp.stack([nngp, theta], axis=-1) if ntk else nngp[..., None]


def _self_pass(layer, config, X):
    ctx = _ctx("self", config)
    state = State(input_kernel(X, X, ctx))
    state = layer.run(state, Spec(X.shape[1:]), ctx, "")[0]
    return ctx.records, _finish(state, ctx.ntk)


def _pair_pass(layer, config, fa, fb):
    (xa, va), (xb, vb) = fa, fb
    ctx = _ctx("pair", config, zip(va, vb, strict=True))
    state = State(input_kernel(xa, xb, ctx))
    state = layer.run(state, Spec(xa.shape[1:]), ctx, "")[0]
    return _finish(state, ctx.ntk)


def _warn_if_not_psd(kernels: dict, plan: Plan) -> None:
    """Warn when a symmetric Gram breaks Cauchy-Schwarz beyond rounding."""
    for name, K in kernels.items():
        d = np.sqrt(np.clip(np.diag(K), 0, None))
        bound = np.outer(d, d) * (1 + 1e-9) + 1e-300
        excess = np.abs(K) - bound
        if np.diag(K).min() < 0 or excess.max() > 0:
            i, j = np.unravel_index(np.argmax(excess), K.shape)
            cause = (f"the user-supplied nngp_fn of {', '.join(plan.user_dual)} is not the "
                     "covariance of a function of a Gaussian" if plan.user_dual else
                     "rounding in the recursion (please report it)")
            warnings.warn(f"the {name} Gram is not positive semi-definite: |K[{i}, {j}]| "
                          f"exceeds sqrt(K[{i}, {i}] K[{j}, {j}]) by {excess[i, j]:.3e}; "
                          f"cause: {cause}", KernelWarning, stacklevel=3)
            return
