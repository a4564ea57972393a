"""A layer: one description, three functions (neural-tangents' stax convention).

Every public constructor (`Dense(...)`, `Relu()`, `serial(...)`) returns the triple
`(init_fn, apply_fn, kernel_fn)`:

- `init_fn(key, input_shape) -> (output_shape, params)`: shapes include the batch axis
  (any value, e.g. -1), as in neural-tangents;
- `apply_fn(params, x, *, rng=None, **kwargs)`: the finite network (`rng` for `Dropout`);
- `kernel_fn(x1, x2=None, get=None)`: the infinite-width NNGP and NTK
  (`kernelrich.stax._kernel_fn.KernelFn`).

The three are views of one `Layer` object, so that combinators can read the description
back from any triple (`layer_of`).
"""

from __future__ import annotations

import abc

from .._validate import integer
from ._spec import Spec, fail
from ._state import Ctx, State


class Layer(abc.ABC):
    """Base class of a layer: `init`, `apply` (finite network), `run` (kernels)."""

    name = "Layer"

    def init(self, key, input_shape):
        """`(output_shape, params)`; the default: no parameters, shape unchanged."""
        return tuple(input_shape), ()

    @abc.abstractmethod
    def apply(self, params, x, *, rng=None, **kwargs):
        """The finite network's output on `x` (a batch)."""

    @abc.abstractmethod
    def run(self, state: State | None, spec: Spec, ctx: Ctx, where: str):
        """`(state, spec)` after the layer. With `state=None` (the static pass) only the
        output `Spec` is computed, with every check that can be made from shapes; a layer
        that cannot be evaluated raises a `ValueError` that names `where`."""

    def structure(self):
        """A hashable description of everything the kernel passes trace except the weight
        layers' (W_std, b_std) (`Ctx.weight_scales`), or `None` (the default): networks of
        equal structure share compiled passes (`kernelrich.stax._kernel_fn`), a layer
        without one compiles its own."""
        return None

    def label(self, where: str) -> str:
        return f"{where} ({self.name})" if where else self.name

    def triple(self):
        from ._kernel_fn import KernelFn

        return self.init, self.apply, KernelFn(self)

    def __repr__(self) -> str:
        return self.name


def layer_of(obj, where: str) -> Layer:
    """The `Layer` behind a triple `(init_fn, apply_fn, kernel_fn)` (or a `Layer`)."""
    if isinstance(obj, Layer):
        return obj
    kernel_fn = obj[2] if isinstance(obj, tuple | list) and len(obj) == 3 else None
    layer = getattr(kernel_fn, "layer", None)
    if not isinstance(layer, Layer):
        raise fail(where, "expected a kernelrich.stax layer (init_fn, apply_fn, kernel_fn), "
                          f"got {type(obj).__name__}; layers from neural_tangents.stax (or "
                          "jax.example_libraries.stax) cannot be mixed with kernelrich.stax")
    return layer


def width(where: str, name: str, value) -> int:
    try:
        return integer(name, value, minimum=1)
    except ValueError as err:
        raise fail(where, str(err)) from None


def parameterization(where: str, value) -> str:
    name = str(value).lower()
    if name not in ("ntk", "standard"):
        raise fail(where, f"parameterization must be 'ntk' or 'standard', got {value!r}")
    return name


def require_gaussian(spec: Spec, where: str, what: str) -> None:
    """Refuse a layer whose input is not a Gaussian process in the infinite-width limit."""
    if spec.form == "gaussian":
        return
    why = {"input": "it is the network's input (put a Dense or Conv layer before it)",
           "flattened": f"it follows {spec.origin}, which flattened a nonlinear tensor whose "
                        "positions have different variances (apply the nonlinearity before "
                        "flattening)",
           "nonlinear": f"it follows the nonlinearity {spec.origin}",
           "other": f"it follows {spec.origin}, whose output is not Gaussian"}[spec.form]
    raise fail(where, f"{what} needs a Gaussian input in the infinite-width limit, but {why}")
