"""The static side of a network: what flows between layers before any number is computed.

A `Spec` describes one tensor per example: its shape `(*spatial, channels)` (NHWC without
the batch axis, as in neural-tangents), and its *form* in the infinite-width limit:

- `"input"`: the data themselves (deterministic);
- `"gaussian"`: a centred Gaussian process (the output of `Dense` or `Conv`, of pooling or
  `LayerNorm` applied to one, or a sum of independent ones);
- `"nonlinear"`: an elementwise function of a Gaussian (`chain` lists the activations applied
  since the last Gaussian, so that a second activation can be folded into the first);
- `"flattened"`: a nonlinear tensor flattened over space (its positions had different
  variances, so no elementwise function of it has a kernel computable from its kernel);
- `"other"`: anything else (dropout masks, concatenations, sums of non-Gaussian branches).

`fresh` says the tensor is centred and uncorrelated with the other branches of a `FanOut`
(it went through a weight layer after the fan-out); `FanInSum` needs it to add kernels.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

FORMS = ("input", "gaussian", "nonlinear", "flattened", "other")


@dataclass(frozen=True)
class Spec:
    """One tensor flowing through a network, per example (no batch axis).

    **Arguments:**

    - `shape`: `(*spatial, channels)`.
    - `form`: one of `FORMS` (module doc).
    - `fresh`: centred and uncorrelated with the other branches of a fan-out.
    - `chain`: the activations applied since the last Gaussian (form `"nonlinear"`).
    - `origin`: the layer that gave the tensor its form, for error messages.
    """

    shape: tuple[int, ...]
    form: str = "input"
    fresh: bool = False
    chain: tuple = field(default=(), compare=False)
    origin: str = ""

    @property
    def spatial(self) -> tuple[int, ...]:
        return self.shape[:-1]

    @property
    def channels(self) -> int:
        return self.shape[-1]

    def but(self, **changes) -> Spec:
        return replace(self, **changes)


@dataclass
class Plan:
    """What the static pass learns about a network, to size and organise the computation.

    - `pooling`: some layer mixes spatial positions (pooling), so full position-position
      covariances are needed; otherwise only their diagonal is kept.
    - `quadrature`: some activation has no closed form.
    - `entries`: the largest number of covariance entries per pair of inputs (full
      position-position layout) at any layer; `diagonal_entries` the same on the diagonal.
    - `nodes_fixed`: quadrature nodes fixed by the user (else chosen from the variances).
    - `user_dual`: a layer uses a user-supplied `nngp_fn` (its kernel may not be PSD).
    - `scales`: every weight layer's (W_std, b_std) in the order the network visits them:
      the passes read them as traced arguments (`Ctx.weight_scales`), so that networks
      which differ only in them share compiled programs.
    """

    pooling: bool = False
    quadrature: bool = False
    entries: int = 1
    diagonal_entries: int = 1
    nodes_fixed: tuple[int, int] | None = None
    user_dual: list[str] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)

    def see(self, spec: Spec) -> None:
        size = int(np.prod(spec.spatial, dtype=np.int64)) if spec.spatial else 1
        self.entries = max(self.entries, size * size)
        self.diagonal_entries = max(self.diagonal_entries, size)


class NetworkError(ValueError):
    """A network that cannot be evaluated, with the layer that refuses named."""


def fail(where: str, message: str) -> NetworkError:
    return NetworkError(f"{where}: {message}" if where else message)


def positive_ints(where: str, name: str, value, ndim: int | None = None) -> tuple[int, ...]:
    """A tuple of positive integers (`filter_shape`, `window_shape`, `strides`)."""
    try:
        values = tuple(value)
    except TypeError:
        raise fail(where, f"{name} must be a tuple of positive integers, got {value!r}") from None
    if not values or not all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                             and v >= 1 for v in values):
        raise fail(where, f"{name} must be a tuple of positive integers, got {value!r}")
    if ndim is not None and len(values) != ndim:
        raise fail(where, f"{name} must have {ndim} entries, got {value!r}")
    return tuple(int(v) for v in values)


def finite_std(where: str, name: str, value, *, allow_none: bool = False) -> float | None:
    """A finite number >= 0 (a weight or bias standard deviation)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise fail(where, f"{name} must be a finite number >= 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise fail(where, f"{name} must be a finite number >= 0, got {value}")
    return value


def window_pads(size: int, window: int, stride: int, padding: str) -> tuple[int, int]:
    """(low, high) padding of one spatial axis: XLA's rule for SAME (and CIRCULAR)."""
    if padding == "VALID":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    low, high = window_pads(size, window, stride, padding)
    return (size + low + high - window) // stride + 1


PADDINGS = ("VALID", "SAME", "CIRCULAR")


def padding_name(where: str, padding) -> str:
    name = str(getattr(padding, "name", padding)).upper()
    if name not in PADDINGS:
        raise fail(where, f"padding must be one of {PADDINGS}, got {padding!r}")
    return name


def windowed(where: str, spec: Spec, window: tuple[int, ...], strides: tuple[int, ...],
             padding: str, what: str) -> tuple[int, ...]:
    """The output spatial shape of a window op, with the checks that name the layer."""
    spatial = spec.spatial
    if len(spatial) != len(window):
        rank = len(window) + 2
        raise fail(where, f"a {len(window)}-D {what} {window} needs inputs of rank {rank} "
                          f"(N, {', '.join('HWD'[:len(window)])}, C), got per-example shape "
                          f"{spec.shape} (rank {len(spec.shape) + 1})")
    _check_layout(where, spec, window)
    out = []
    for axis, (size, w, s) in enumerate(zip(spatial, window, strides, strict=True)):
        if padding == "VALID" and w > size:
            raise fail(where, f"the {what} {window} is larger than the input's spatial shape "
                              f"{spatial} (axis {axis + 1}) with padding VALID; use SAME or "
                              "a smaller window")
        out.append(output_size(size, w, s, padding))
    return tuple(out)


def _check_layout(where: str, spec: Spec, window: tuple[int, ...]) -> None:
    """NCHW images given to an NHWC network: (1 or 3, H, W) with H = W much larger."""
    shape = spec.shape
    if len(shape) == 3 and shape[0] in (1, 3) and shape[1] == shape[2] and shape[2] >= 8:
        raise fail(where, f"the input looks like NCHW (per-example shape {shape}); "
                          "kernelrich.stax, like neural-tangents, expects NHWC (batch, height, "
                          "width, channels): transpose it with x.transpose(0, 2, 3, 1)")
