"""`kernel_fn(x1, x2=None, get=None)`: the infinite-width NNGP and NTK of a network, in blocks.

1. A static pass checks the inputs against every layer (shapes, forms) and decides the layout:
   only the position-position diagonal when no layer pools (`kernelrich.stax._state`). It
   also collects the weight layers' (W_std, b_std), which the passes take as traced
   arguments.
2. The self pass computes K(x, x) for every input, in blocks of inputs, and records the
   variances each activation needs. Quadrature nodes are chosen from the largest of them
   (`kernelrich.ntk._quadrature.node_counts`); if that needs more nodes than the pass used,
   it runs again with them (without pooling the self pass needs only the one-dimensional
   rule and starts with nodes for variances up to `SELF_VARIANCE`).
3. The pair pass computes K(x, x') on blocks of (rows, columns) whose temporaries stay
   within `memory_bytes` (`kernelrich.ntk._blocks.block_gram`: one compiled shape, the upper
   block triangle of a symmetric Gram, the next block computing while the last is copied
   out). The diagonal of a symmetric Gram comes from the self pass (exact formulas at
   p = p', the `Dropout` rescaling).

Each pass is one jitted function of the whole network, so XLA fuses a chain of layers (for
`serial(Dense, Relu, ..., Dense)`: one loop over the entries of a block, the recursion of
Jacot et al. 2018 Thm 1). The NNGP and the NTK leave it as separate outputs (stacked, XLA's
fusion would evaluate the recursion once per kernel). Networks whose layers define a
`structure` (`serial`, `Dense` and the activations with closed forms or built-in
quadrature) share their compiled passes across instances that differ only in W_std, b_std.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, namedtuple

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import bounded, finite_array, integer
from ..ntk._blocks import block_gram, bucket, padded
from ..ntk._quadrature import node_counts
from ._psd import warn_if_not_psd
from ._spec import Plan, Spec
from ._state import Ctx, State, input_kernel

GETS = ("nngp", "ntk")
MEMORY_BYTES = 2**23
"""Default budget for one block's temporaries (bytes); the result itself comes on top.
8 MiB: on the Myrtle CNN (8x8 and 16x16 inputs) as fast as 32 MiB or faster (the blocks stay
in cache) and leaner; fully connected chains are indifferent (docs/benchmarks.md)."""
_COPIES = 12
"""Live float64 arrays per covariance entry during a block (kernels, variances, temporaries),
measured on the Myrtle network (bench/bench_stax_speed.py)."""
_QUADRATURE_COPIES = 8
SELF_VARIANCE = 1e8
"""The self pass of a network without pooling needs only the diagonal (one-dimensional)
rule, cheap per entry: it starts with nodes for variances up to this (`node_counts`), so that
it rarely runs twice."""
Kernels = namedtuple("Kernels", GETS)
_SHARED: OrderedDict = OrderedDict()
"""Compiled passes of networks with a `Layer.structure`, keyed by it: networks that differ
only in their weight layers' (W_std, b_std) (traced arguments) share them."""
_SHARED_SIZE = 64


class KernelFn:
    """The infinite-width kernels of a network (neural-tangents' `kernel_fn`).

    Call it as `kernel_fn(x1, x2=None, get=None, *, memory_bytes=None, batch_size=None)`:

    - `x1`: inputs (n1, *spatial, channels), NHWC for images; `x2`: (n2, ...) with the same
      per-example shape, or `None` for x2 = x1 (then the Gram is symmetric and its diagonal
      is the exact same-input kernel, as neural-tangents' `x1_is_x2`).
    - `get`: `"nngp"`, `"ntk"`, a tuple of them (a named tuple in that order), or `None`
      (both, as `Kernels(nngp, ntk)`).
    - `memory_bytes`: budget for one block's temporaries (default 8 MiB); the Gram is
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
        run = _Run(self.layer, plan, out, _outputs(names), budget, self._compiled)
        records, diag_a = run.self_pass(A)
        records_b, diag_b = (records, diag_a) if symmetric else run.self_pass(B)
        run.nodes = run.settle_nodes(A, B, records, records_b, symmetric)
        if run.redo_self():  # more nodes needed than the self pass had: redo it
            records, diag_a = run.self_pass(A)
            records_b, diag_b = (records, diag_a) if symmetric else run.self_pass(B)
        Ks = run.pair_pass(A, B, records, records_b, symmetric, batch_size)
        if symmetric:
            index = np.arange(A.shape[0])
            for K, diag in zip(Ks, diag_a, strict=True):
                K[index, index] = diag
        kernels = {name: _layout(K, len(out.spatial))
                   for name, K in zip(run.outputs, Ks, strict=True)}
        for name, value in kernels.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(f"the {name} kernel is not finite in float64 for these inputs "
                                 "(an overflow in the recursion): rescale x1, x2 or the "
                                 "weight variances")
        if symmetric and not out.spatial:
            warn_if_not_psd(kernels, plan)
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


def _outputs(names: tuple[str, ...]) -> tuple[str, ...]:
    """The kernels a pass returns, in `GETS` order: the NTK alone when only it is asked for
    (the NNGP is computed on the way, but not copied out)."""
    return tuple(g for g in GETS if g in names)


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

    def __init__(self, layer, plan: Plan, out: Spec, outputs: tuple[str, ...], budget: int,
                 compiled: dict):
        self.layer, self.plan, self.out, self.outputs = layer, plan, out, outputs
        self.budget = budget
        self._compiled = compiled
        self.diagonal = not plan.pooling and not out.spatial
        self.entries = plan.diagonal_entries if self.diagonal else plan.entries
        self.nodes = plan.nodes_fixed or (node_counts(1.0) if plan.quadrature else None)
        self.self_nodes = self.nodes
        if plan.quadrature and not plan.nodes_fixed and self.diagonal:
            self.self_nodes = node_counts(SELF_VARIANCE)

    def redo_self(self) -> bool:
        """After `settle_nodes`: whether the self pass had fewer nodes than the pair pass
        will use (then `self_nodes` grows to them)."""
        if self.nodes is None or all(a >= b for a, b in zip(self.self_nodes, self.nodes,
                                                            strict=True)):
            return False
        self.self_nodes = tuple(max(a, b) for a, b in zip(self.self_nodes, self.nodes,
                                                          strict=True))
        return True

    def _chunk(self, nodes) -> int:
        if nodes is None:
            return 1 << 30
        per_entry = 8 * _QUADRATURE_COPIES * nodes[0] * nodes[1]
        return int(max(64, self.budget // per_entry))

    def _jit(self, kind: str):
        """The compiled pass for this configuration, called as `fn(scales, *blocks)`. Each
        configuration gets its own closure, kept on the `KernelFn` across calls, or, for a
        network with a `structure`, in `_SHARED` for every network of that structure (the
        weight layers' W_std, b_std are the traced `scales`; everything else the trace reads
        is in the structure)."""
        nodes = self.self_nodes if kind == "self" else self.nodes
        config = (self.diagonal, self.outputs, nodes, self._chunk(nodes))
        key = (kind, *config)
        structure = self.layer.structure()
        cache = self._compiled if structure is None else _SHARED
        if structure is not None:
            key = (structure, *key)
        if key not in cache:
            fn = functools.partial(_self_pass if kind == "self" else _pair_pass, self.layer,
                                   config)
            cache[key] = jax.jit(lambda *args: fn(*args))
            if structure is not None and len(cache) > _SHARED_SIZE:
                cache.popitem(last=False)
        elif structure is not None:
            cache.move_to_end(key)
        return cache[key]

    @functools.cached_property
    def scales(self):
        """The weight layers' (W_std, b_std) (`Plan.scales`), on the device."""
        return jax.device_put(np.asarray(self.plan.scales, dtype=np.float64))

    def _rows(self, per_example_entries: int) -> int:
        return int(max(1, self.budget // (8 * _COPIES * per_example_entries)))

    def self_pass(self, X: np.ndarray):
        """(records: list of (n, *S) arrays, the same-input kernels: one (n, *out) array
        per output)."""
        n = X.shape[0]
        size = min(bucket(n), self._rows(self.plan.diagonal_entries if self.diagonal
                                         else self.plan.entries))  # a few compiled sizes
        fn = self._jit("self")
        records, diag = None, []
        for start in range(0, n, size):
            rec, out = fn(self.scales, jax.device_put(padded(X, start, size)))
            stop = min(size, n - start)
            rec = [np.asarray(r)[:stop] for r in rec]
            records = [[r] for r in rec] if records is None else [
                acc + [r] for acc, r in zip(records, rec, strict=True)]
            diag.append([np.asarray(o)[:stop] for o in out])
        diagonals = [np.concatenate(d) for d in zip(*diag, strict=True)]
        return [np.concatenate(r) for r in records], diagonals

    def settle_nodes(self, A, B, records_a, records_b, symmetric: bool):
        """Quadrature nodes for the largest variance any activation sees."""
        if not self.plan.quadrature or self.plan.nodes_fixed:
            return self.nodes
        largest = max([float(np.max(r)) for r in records_a + records_b if r.size] + [0.0])
        return tuple(max(a, b) for a, b in zip(node_counts(largest), self.nodes, strict=True))

    def _pair_rows(self) -> int:
        """Rows per block of the pair pass: its arrays within the budget, and with a
        quadrature its (entries x nodes) temporaries too (then one chunk per block, and
        blocks small enough that a symmetric Gram skips most of its lower triangle: the
        quadrature's cost is per entry computed)."""
        per_entry = 8 * _COPIES * self.entries
        if self.plan.quadrature:
            per_entry = max(per_entry, 8 * _QUADRATURE_COPIES * self.nodes[0] * self.nodes[1]
                            * self.entries)
        return int(max(1, np.sqrt(self.budget / per_entry)))

    def pair_pass(self, A, B, records_a, records_b, symmetric: bool, batch_size):
        size = batch_size or self._pair_rows()
        spatial = self.out.spatial
        jitted, scales = self._jit("pair"), self.scales

        def fn(fa, fb):
            return jitted(scales, fa, fb)

        def rows(X, R):
            def select(block):
                index = np.asarray(block)
                return (jax.device_put(X[index]), [jax.device_put(r[index]) for r in R])
            return select

        tail = spatial + spatial
        return block_gram(rows(A, records_a), rows(B, records_b), fn,
                          np.arange(A.shape[0]), np.arange(B.shape[0]), size=size,
                          symmetric=symmetric and not spatial, tail=tail)


def _ctx(mode: str, config, scales, records=()) -> Ctx:
    diagonal, outputs, nodes, chunk = config
    return Ctx(mode, diagonal=diagonal, ntk="ntk" in outputs, nodes=nodes, chunk=chunk,
               records=list(records), scales=scales)


def _run(layer, ctx: Ctx, state: State, shape) -> State:
    state = layer.run(state, Spec(shape), ctx, "")[0]
    if ctx.scale_cursor != ctx.scales.shape[0]:  # the static pass saw other weight layers
        raise RuntimeError(f"internal error: {ctx.scale_cursor} weight scales read of "
                           f"{ctx.scales.shape[0]} (please report it)")
    return state


def _finish(state: State, outputs: tuple[str, ...]) -> tuple:
    """The kernels named in `outputs`, as a tuple: separate outputs of one jitted function
    share their common terms (stacked, XLA's fusion would compute the recursion once per
    kernel, twice the work for the dense chain)."""
    theta = state.ntk if state.ntk is not None else jnp.zeros_like(state.nngp)
    return tuple(state.nngp if name == "nngp" else theta for name in outputs)


def _self_pass(layer, config, scales, X):
    ctx = _ctx("self", config, scales)
    state = _run(layer, ctx, State(input_kernel(X, X, ctx)), X.shape[1:])
    return ctx.records, _finish(state, config[1])


def _pair_pass(layer, config, scales, fa, fb):
    (xa, va), (xb, vb) = fa, fb
    ctx = _ctx("pair", config, scales, zip(va, vb, strict=True))
    state = _run(layer, ctx, State(input_kernel(xa, xb, ctx)), xa.shape[1:])
    return _finish(state, config[1])
