"""Dot-product kernels kappa(<x, x'>) on the sphere: from `kernelrich.ntk`'s infinite-width
NNGP and NTK, from any kernel function (checked to be one), or from a function of t.

On the sphere of radius r in R^d, a kernel that depends on x and x' only through
<x, x'> = r^2 t is a function kappa(t), t in [-1, 1]. The NNGP Sigma^(L) and NTK Theta^(L)
of a fully connected network (Jacot et al. 2018, Thm 1) are such kernels: their recursion
starts from Sigma^(1) = x.x'/n_0 + beta^2 and uses the norms only through |x|^2 = r^2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _validate
from ..ntk import activation as _activation
from ..ntk import infinite_nngp, infinite_ntk
from ._gegenbauer import dimension
from ._sphere import on_sphere

KERNEL_RTOL = 8 * np.finfo(float).eps
"""Default relative accuracy assumed for kernel values (a few ulps of rounding)."""

_CHUNK_CLOSED, _CHUNK_QUADRATURE = 32, 8


@dataclass(frozen=True, eq=False)
class DotProductKernel:
    """A dot-product kernel kappa(t) on the sphere S^(d-1) of radius `radius`.

    **Arguments:**

    - `name`: a description, e.g. `"NTK, relu, depth 3, beta 0.1"`.
    - `dim`: d, the ambient dimension.
    - `of_angle`: theta -> kappa(cos theta), vectorised over a 1-D NumPy array of angles in
      [0, pi] (the Funk-Hecke quadrature calls this: no cos/arccos round trip).
    - `radius`: r, the radius of the sphere the kernel is evaluated on.
    - `rtol`: the relative accuracy of its values, used for the rounding floor of the
      eigenvalues' error estimates.
    - `gram`: `(X1, X2) -> (n1, n2)` array, the kernel on point sets of that sphere (for
      Gram matrices; `None` evaluates kappa(<x, x'>/r^2) entry by entry).

    Calling it on t in [-1, 1] returns kappa(t).
    """

    name: str
    dim: int
    of_angle: Callable[[np.ndarray], np.ndarray]
    radius: float = 1.0
    rtol: float = KERNEL_RTOL
    gram: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def matrix(self, X1, X2=None, *, normalise: bool = False) -> np.ndarray:
        """The kernel matrix k(X1, X2) on points of the sphere (`X2=None`: X1).

        **Arguments:** `X1` (n1, dim), `X2` (n2, dim) on the sphere of radius `radius`;
        `normalise=True` projects their rows onto it first (otherwise points off the
        sphere raise `ValueError`).
        """
        A = on_sphere("X1", X1, dim=self.dim, radius=self.radius, normalise=normalise)
        B = A if X2 is None else on_sphere("X2", X2, dim=self.dim, radius=self.radius,
                                           normalise=normalise)
        if self.gram is not None:
            return np.asarray(self.gram(A, B), dtype=float)
        t = np.clip(A @ B.T / self.radius**2, -1.0, 1.0)
        return np.asarray(self.of_angle(np.arccos(t).ravel()), dtype=float).reshape(t.shape)

    def __call__(self, t) -> np.ndarray:
        t = _validate.finite_array("t", np.atleast_1d(t))
        if np.any(np.abs(t) > 1):
            raise ValueError(f"t must lie in [-1, 1], got max |t| = {np.max(np.abs(t))!r}")
        return np.asarray(self.of_angle(np.arccos(t.ravel())), dtype=float).reshape(t.shape)


def ntk_kernel(
    dim: int, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    radius: float = 1.0, method: str = "auto", order: int | None = None,
) -> DotProductKernel:
    """The infinite-width NTK Theta^(L) of `kernelrich.ntk.infinite_ntk` as kappa(t) on the
    sphere of radius `radius` in R^dim (Jacot et al. 2018, Thm 1).

    **Arguments:**

    - `dim`: d >= 2, the input dimension n_0.
    - `depth`, `activation`, `bias_std`, `method`, `order`: as `kernelrich.ntk.infinite_ntk`
      (`order=None`: its default).
    - `radius`: the norm of the inputs (`sqrt(dim)` makes x.x'/n_0 = t).

    **Returns:** a `DotProductKernel`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import ntk_kernel
    >>> kernel = ntk_kernel(3, depth=2, bias_std=0.0)
    >>> kernel.name
    'NTK, relu, depth 2, beta 0, radius 1'
    >>> kernel(np.array([0.0, 1.0])).round(6)
    array([0.053052, 0.333333])

    ```
    """
    return _network_kernel("NTK", infinite_ntk, dim, depth, activation, bias_std, radius,
                           method, order)


def nngp_kernel(
    dim: int, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    radius: float = 1.0, method: str = "auto", order: int | None = None,
) -> DotProductKernel:
    """The infinite-width NNGP Sigma^(L) of `kernelrich.ntk.infinite_nngp` as kappa(t) on the
    sphere; arguments as `ntk_kernel`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import nngp_kernel
    >>> kernel = nngp_kernel(3, depth=2, bias_std=0.0)
    >>> kernel(np.array([0.0, 1.0])).round(6)
    array([0.053052, 0.166667])

    ```
    """
    return _network_kernel("NNGP", infinite_nngp, dim, depth, activation, bias_std, radius,
                           method, order)


def _network_kernel(kind, fn, dim, depth, activation, bias_std, radius, method, order):
    dim = dimension(dim)
    radius = _validate.positive("radius", radius)
    options = {"depth": depth, "activation": activation, "bias_std": bias_std, "method": method}
    if order is not None:
        options["order"] = order
    anchor = radius * np.eye(1, dim)
    fn(anchor, **options)  # validates every argument now
    act = _activation(activation)
    chunk = _CHUNK_CLOSED if act.closed_form and method != "quadrature" else _CHUNK_QUADRATURE

    def of_angle(theta: np.ndarray) -> np.ndarray:
        points = _circle(theta, dim, radius)
        n = points.shape[0]
        padded = np.concatenate([points, np.repeat(points[-1:], -n % chunk, axis=0)])
        values = [fn(anchor, padded[i:i + chunk], **options)[0]
                  for i in range(0, padded.shape[0], chunk)]  # one compiled tile shape
        return np.concatenate(values)[:n]

    def gram(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return fn(A, None if B is A else B, **options)

    name = f"{kind}, {act.name}, depth {depth}, beta {bias_std:g}, radius {radius:g}"
    return DotProductKernel(name, dim, of_angle, radius, gram=gram)


def _circle(theta: np.ndarray, dim: int, radius: float) -> np.ndarray:
    """The points radius (cos theta, sin theta, 0, ..., 0) of R^dim."""
    points = np.zeros((np.size(theta), dim))
    points[:, 0] = radius * np.cos(theta)
    points[:, 1] = radius * np.sin(theta)
    return points


def as_dot_product(
    kernel_fn: Callable, dim: int, *, radius: float = 1.0, name: str = "kernel",
    tol: float = 1e-9, seed: int = 0,
) -> DotProductKernel:
    """A kernel function k(X1, X2) as kappa(t), after checking that it is a dot-product
    kernel on the sphere.

    The check: 24 inner products t spread over [-1, 1], two random pairs (x, x') of the
    sphere with <x, x'> = r^2 t each; a dot-product kernel gives both pairs the same value.

    **Arguments:**

    - `kernel_fn`: (X1 of shape (n1, dim), X2 of shape (n2, dim)) -> (n1, n2) array.
    - `dim`: d >= 2.
    - `radius`: the radius r of the sphere.
    - `name`: a description kept in the result.
    - `tol`: the largest relative difference (to max |k|) between the two pairs accepted.
    - `seed`: the seed of the random pairs.

    **Returns:** a `DotProductKernel`. Raises `ValueError` when `kernel_fn` fails, returns a
    wrong shape or non-finite values, or is not a dot-product kernel.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import as_dot_product
    >>> kernel = as_dot_product(lambda A, B: np.exp(A @ B.T), 3, name="exp")
    >>> kernel(np.array([0.0, 1.0])).round(6)
    array([1.      , 2.718282])
    >>> as_dot_product(lambda A, B: np.exp(A[:, :1] @ B[:, :1].T), 3)
    Traceback (most recent call last):
    ...
    ValueError: kernel is not a dot-product kernel on the sphere of radius 1 in ...

    ```
    """
    dim = dimension(dim)
    radius = _validate.positive("radius", radius)
    tol = _validate.positive("tol", tol)
    if not callable(kernel_fn):
        raise ValueError(f"kernel_fn must be a callable k(X1, X2), got {kernel_fn!r}")
    rng = np.random.default_rng(seed)
    t = np.concatenate([[-1.0, 1.0], np.cos(rng.uniform(0, np.pi, 22))])
    values = [np.diag(_call(kernel_fn, *_pairs(t, dim, radius, rng), name)) for _ in range(2)]
    scale = np.max(np.abs(values))
    gap = np.abs(values[0] - values[1]) / (scale if scale > 0 else 1.0)
    if np.max(gap) > tol:
        i = int(np.argmax(gap))
        raise ValueError(
            f"{name} is not a dot-product kernel on the sphere of radius {radius:g} in "
            f"R^{dim}: two pairs with the same <x, x'>/r^2 = {t[i]:.4f} give "
            f"{values[0][i]:.10g} and {values[1][i]:.10g} (relative difference "
            f"{gap[i]:.2e} > tol {tol:.1e})")
    anchor = radius * np.eye(1, dim)

    def of_angle(theta: np.ndarray) -> np.ndarray:
        return _call(kernel_fn, anchor, _circle(theta, dim, radius), name)[0]

    return DotProductKernel(name, dim, of_angle, radius,
                            gram=lambda A, B: _call(kernel_fn, A, B, name))


def dot_product_kernel(
    kappa: Callable, dim: int, *, radius: float = 1.0, name: str | None = None,
    rtol: float = KERNEL_RTOL,
) -> DotProductKernel:
    """A function kappa(t) of t in [-1, 1] as the dot-product kernel kappa(<x, x'>/r^2).

    **Arguments:**

    - `kappa`: vectorised over a 1-D NumPy array of t, finite on [-1, 1].
    - `dim`: d >= 2; `radius`: r; `name`: a description (default: the function's name);
      `rtol`: the relative accuracy of its values.

    **Returns:** a `DotProductKernel`. Raises `ValueError` when `kappa` fails or returns
    the wrong shape on a probe of [-1, 1].

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import dot_product_kernel
    >>> kernel = dot_product_kernel(lambda t: t**2, 3, name="square")
    >>> kernel(np.array([-1.0, 0.5, 1.0]))
    array([1.  , 0.25, 1.  ])
    >>> kernel.matrix(np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])).round(6)
    array([[1.  , 0.36],
           [0.36, 1.  ]])

    ```
    """
    dim = dimension(dim)
    radius = _validate.positive("radius", radius)
    rtol = _validate.positive("rtol", rtol)
    if not callable(kappa):
        raise ValueError(f"kappa must be a callable of t in [-1, 1], got {kappa!r}")
    name = name or getattr(kappa, "__name__", "kappa")
    probe = np.linspace(-1.0, 1.0, 5)
    try:
        values = np.asarray(kappa(probe), dtype=float)
    except Exception as err:
        raise ValueError(f"kappa {name!r} raised {type(err).__name__} on t in [-1, 1]: "
                         f"{err}") from err
    if values.shape != probe.shape:
        raise ValueError(f"kappa {name!r} must be vectorised (one value per t), got shape "
                         f"{values.shape} for {probe.shape}")
    return DotProductKernel(name, dim, lambda theta: kappa(np.cos(theta)), radius, rtol)


def _pairs(t: np.ndarray, dim: int, radius: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs (x_i, x'_i) on the sphere with <x_i, x'_i> = radius^2 t_i."""
    x = rng.standard_normal((t.size, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    u = rng.standard_normal((t.size, dim))
    u -= np.sum(u * x, axis=1, keepdims=True) * x
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    other = t[:, None] * x + np.sqrt(np.maximum(1 - t * t, 0))[:, None] * u
    return radius * x, radius * other


def _call(kernel_fn, X1, X2, name) -> np.ndarray:
    try:
        out = np.asarray(kernel_fn(X1, X2), dtype=float)
    except Exception as err:
        raise ValueError(f"{name}: kernel_fn(X1, X2) raised {type(err).__name__}: {err}") from err
    if out.shape != (X1.shape[0], X2.shape[0]):
        raise ValueError(f"{name}: kernel_fn(X1, X2) must return shape "
                         f"{(X1.shape[0], X2.shape[0])}, got {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name}: kernel_fn(X1, X2) returned non-finite values")
    return out
