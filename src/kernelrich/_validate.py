"""Argument checks shared by every public function: clear `ValueError`s that name the
argument and show the offending value, raised before any work starts."""

from __future__ import annotations

import numbers

import numpy as np


def _show(value: object) -> str:
    text = np.array2string(np.asarray(value), threshold=8, precision=4) if not isinstance(
        value, str) else repr(value)
    return text if len(text) < 200 else text[:200] + "..."


def real_array(name: str, value: object) -> np.ndarray:
    """`value` as a float64 array; a complex one is refused (casting it would drop the
    imaginary part silently), as is anything that is not numeric."""
    try:
        raw = np.asarray(value)
        arr = None if raw.dtype.kind == "c" else np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array, got {_show(value)}") from err
    if arr is None:
        raise ValueError(f"{name} must be real, got a complex array {_show(raw)}")
    return arr


def finite_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """`value` as a float64 array with no NaN/Inf (and `ndim` dimensions if given)."""
    arr = real_array(name, value)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0].tolist()
        raise ValueError(
            f"{name} must be finite, got {arr[tuple(where)]} at index {where} "
            f"({int(bad.sum())} non-finite entries)"
        )
    return arr


def positive(name: str, value: object, *, allow_array: bool = False) -> float | np.ndarray:
    """A finite, strictly positive number (or 1-D array of them if `allow_array`)."""
    if allow_array and np.ndim(value) > 0:
        arr = finite_array(name, value, ndim=1)
        if (arr <= 0).any():
            raise ValueError(f"{name} must be > 0, got {_show(arr)}")
        return arr
    if isinstance(value, bool | np.complexfloating) or not isinstance(
            value, numbers.Real | np.number):
        if np.ndim(value) == 0 and isinstance(np.asarray(value).item(), numbers.Real):
            value = np.asarray(value).item()
        else:
            raise ValueError(f"{name} must be a positive number, got {_show(value)}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def nonnegative(name: str, value: object) -> float:
    """A finite number >= 0, as a float."""
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must be a real number >= 0, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}") from err
    if not np.isfinite(result) or result < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {result}")
    return result


def integer(name: str, value: object, *, minimum: int) -> int:
    """An integer >= `minimum` (floats that are not whole numbers are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | np.integer):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {_show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def design(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """The regression data: `X` of shape (N, d), `y` of shape (N,), both finite and within
    `bounded`'s range (beyond it X^T X and ||y||^2 overflow)."""
    X = bounded("X", finite_array("X", X, ndim=2))
    y = bounded("y", finite_array("y", y, ndim=1))
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows, got X.shape={X.shape} "
            f"and y.shape={y.shape}"
        )
    return X, y


def init_shape(w0: object, d: int) -> np.ndarray:
    """The initialisation shape `w0`: d positive finite entries (default all ones)."""
    if w0 is None:
        return np.ones(d)
    w0 = finite_array("w0", w0, ndim=1)
    if w0.shape != (d,):
        raise ValueError(f"w0 must have length d={d}, got shape {w0.shape}")
    if (w0 <= 0).any():
        i = int(np.argmax(w0 <= 0))
        raise ValueError(f"w0 must have positive entries (no zeros), got w0[{i}]={w0[i]}")
    return w0


def diagonal_run(X: object, y: object, alpha: object, depth: object, w0: object):
    """`(X, y, alpha, depth, w0)` of a diagonal-network run (gradient flow or descent), each
    checked: a bounded design, alpha > 0, an integer depth >= 2, the initialisation shape."""
    X, y = design(X, y)
    alpha = positive("alpha", alpha)
    depth = integer("depth", depth, minimum=2)
    return X, y, alpha, depth, init_shape(w0, X.shape[1])


def feasible(X: np.ndarray, y: np.ndarray, *, rtol: float = 1e-9) -> np.ndarray:
    """Refuse an infeasible system: X beta = y must have an exact solution. Returns the
    minimum-norm solution (LAPACK least squares), which callers may reuse."""
    with np.errstate(all="ignore"):  # a non-finite answer is refused below, by name
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = np.linalg.norm(X @ coef - y)
    if not (np.isfinite(coef).all() and np.isfinite(resid)):
        raise ValueError(f"X beta = y cannot be solved in float64 (X.shape={X.shape}): the "
                         "magnitudes of X and y are out of range; rescale X and y")
    scale = max(np.linalg.norm(y), np.finfo(float).tiny)
    if resid > rtol * scale:
        raise ValueError(
            f"X beta = y has no exact solution (least-squares residual {resid:.3e}, "
            f"relative {resid / scale:.3e}; X.shape={X.shape}): gradient flow does not "
            "interpolate, so its limit is not the minimiser of the implicit bias"
        )
    return coef


def choice(name: str, value: object, options: tuple[str, ...]) -> str:
    """One of the allowed strings `options`."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def descent_options(step: object, steps: object, loss: object, stop_loss: object,
                    chunk: object) -> tuple[float, int, str, float | None, int]:
    """The arguments every chunked gradient-descent loop takes: step > 0, steps >= 1,
    loss "sum" or "mean", stop_loss > 0 or None, chunk >= 1."""
    return (positive("step", step), integer("steps", steps, minimum=1),
            choice("loss", loss, ("sum", "mean")),
            None if stop_loss is None else positive("stop_loss", stop_loss),
            integer("chunk", chunk, minimum=1))


def function_values(name: str, f: object, points: np.ndarray) -> np.ndarray:
    """f(points) for a user-supplied function of points of shape (n, d): a float64 array of
    shape (n,) with finite entries, or a ValueError saying which of these failed."""
    n, d = points.shape
    try:
        values = np.asarray(f(points), dtype=np.float64)
    except Exception as err:
        raise ValueError(f"{name} must accept points of shape (n, d={d}); calling it on shape "
                         f"{points.shape} raised {type(err).__name__}: {err}") from err
    if values.shape != (n,):
        raise ValueError(f"{name} must map points of shape (n, d={d}) to shape (n,), got "
                         f"{values.shape} for input {points.shape}")
    if not np.isfinite(values).all():
        i = int(np.argmax(~np.isfinite(values)))
        raise ValueError(f"{name} must return finite values, got {name}(x)={values[i]} at "
                         f"x={points[i].tolist()}")
    return values


def finite_values(name: str, value: object) -> np.ndarray:
    """`value` as a float64 array of any shape (empty and 0-d allowed) with no NaN/Inf:
    the check for elementwise functions, whose output has the input's shape."""
    arr = real_array(name, value)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0].tolist()
        raise ValueError(f"{name} must be finite, got {arr[tuple(where)]} at index {where} "
                         f"({int(bad.sum())} non-finite entries)")
    return arr


def bounded(name: str, arr: np.ndarray, *, limit: float = 1e150) -> np.ndarray:
    """Refuse entries larger than `limit` in magnitude (default 1e150: their squares and
    Gram matrices stay finite in float64). `arr` is an already validated finite array."""
    top = float(np.max(np.abs(arr))) if arr.size else 0.0
    if top > limit:
        raise ValueError(f"{name} has entries up to {top:.3e} in magnitude; products of them "
                         f"overflow float64 (limit {limit:.0e}): rescale {name}")
    return arr


def finite_result(value: object, *, names: str, what: str) -> object:
    """Raise a ValueError naming the arguments `names` if the computed `value` is not finite
    (an overflow or underflow of intermediate quantities for extreme inputs)."""
    if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
        raise ValueError(f"{what} is not finite in float64 for these {names}: their "
                         f"magnitudes are out of range; rescale {names}")
    return value


def finite_leaves(name: str, tree: object) -> object:
    """Refuse a pytree (model parameters) with a non-finite, complex or non-numeric array
    leaf; the error names the leaf's path in `name`. Returns `tree` unchanged."""
    import jax  # local: the other helpers are NumPy only

    for path, leaf in jax.tree_util.tree_leaves_with_path(tree):
        if not hasattr(leaf, "dtype") and not isinstance(leaf, list | tuple):
            continue  # static data: ints, strings, callables
        arr = np.asarray(leaf)
        where = f"{name}{jax.tree_util.keystr(path)}"
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"{where} must be a real numeric array, got dtype {arr.dtype}")
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError(f"{where} must be finite, got {_show(arr)}")
    return tree
