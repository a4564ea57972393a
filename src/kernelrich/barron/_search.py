"""The inner step of the greedy algorithm: a near-best single sigmoidal unit (Barron 1993, §VIII).

Given the target h (centred, h = f - f(0)) and the current approximation u = f_{k-1} on the
samples, one step looks for f_k = (1 - alpha) u + c sigma(a . x + b) minimising
||h - f_k||^2 in L2(mu) over the unit (a, b) and over (alpha, c) in the triangle
{0 <= alpha <= 1, |c| <= 2 C alpha} (so that f_k stays in the convex hull of
{gamma sigma(a . x + b) : |gamma| <= 2 C}, Theorem 1's class). For a fixed unit the
(alpha, c) problem is a 2-variable quadratic on a triangle, solved in closed form
(`_best_mixture`); the unit is then found by Adam on this profiled objective from `restarts`
random starts at once: one (N, d) x (d, R) product per step, compiled with `jax.jit`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate

_INF = jnp.inf


class UnitSearch(NamedTuple):
    """The best unit found: `a` (d,), `b`, mixture weight `alpha`, outer weight `c`, the
    objective `value` = ||h - f_k||^2, and `values` (R,), the best value of every restart."""

    a: Float[Array, " d"]
    b: Float[Array, ""]
    alpha: Float[Array, ""]
    c: Float[Array, ""]
    value: Float[Array, ""]
    values: Float[Array, " R"]


def _quadratic(alpha, c, rr, ru, rv, uu, uv, vv):
    """||r + alpha u - c v||^2 from the inner products."""
    return (rr + 2 * alpha * ru - 2 * c * rv + alpha**2 * uu - 2 * alpha * c * uv + c**2 * vv)


def _safe_div(num, den):
    ok = den > 0
    return jnp.where(ok, num / jnp.where(ok, den, 1.0), 0.0)


def _best_mixture(rr, ru, rv, uu, uv, vv, bound, alpha_fixed):
    """argmin of ||r + alpha u - c v||^2 over {0 <= alpha <= 1, |c| <= bound alpha}.

    Elementwise over the restarts (`rv`, `uv`, `vv` have shape (R,)). `alpha_fixed < 0` means
    alpha is optimised too; otherwise alpha = alpha_fixed. Returns (value, alpha, c). The
    minimum over the triangle is at the interior stationary point or on one of its three
    edges (alpha = 1, c = +bound alpha, c = -bound alpha).
    """
    q = functools.partial(_quadratic, rr=rr, ru=ru, rv=rv, uu=uu, uv=uv, vv=vv)
    det = uu * vv - uv**2
    ok = det > 1e-12 * uu * vv
    a_in = _safe_div(uv * rv - ru * vv, jnp.where(ok, det, 0.0))
    c_in = _safe_div(uu * rv - uv * ru, jnp.where(ok, det, 0.0))
    inside = ok & (a_in >= 0) & (a_in <= 1) & (jnp.abs(c_in) <= bound * a_in)
    c_one = jnp.clip(_safe_div(rv + uv, vv), -bound, bound)
    alphas, cs = [a_in, jnp.ones_like(c_one)], [c_in, c_one]
    for s in (1.0, -1.0):
        a_e = jnp.clip(_safe_div(s * bound * rv - ru, uu - 2 * s * bound * uv + bound**2 * vv),
                       0.0, 1.0)
        alphas.append(a_e)
        cs.append(s * bound * a_e)
    fixed = jnp.maximum(alpha_fixed, 0.0)
    alphas.append(jnp.broadcast_to(fixed, c_one.shape))
    cs.append(jnp.clip(_safe_div(rv + fixed * uv, vv), -bound * fixed, bound * fixed))
    alphas, cs = jnp.stack(alphas), jnp.stack(cs)
    values = q(alphas, cs)
    free = jnp.array([True, True, True, True, False])[:, None]
    allowed = jnp.where(alpha_fixed < 0, free, ~free) & jnp.stack(
        [inside] + [jnp.ones_like(inside)] * 4)
    values = jnp.where(allowed, values, _INF)
    i = jnp.argmin(values, axis=0)[None]
    pick = functools.partial(jnp.take_along_axis, indices=i, axis=0)
    return pick(values)[0], pick(alphas)[0], pick(cs)[0]


def _profile(theta, X, w, r, u, stats, bound, alpha_fixed, *, search=False):
    """The profiled objective of the units `theta` (R, d + 1), its gradient and (alpha, c).

    The gradient is the envelope-theorem one: the triangle does not depend on theta, so
    dJ/dtheta = -2 c sum_i w_i (r_i + alpha u_i - c v_i) v_i (1 - v_i) (x_i, 1).

    It vanishes for a unit that cannot improve on f_(k-1) (best mixture c = 0), so such a
    start would never move. With `search=True` the returned direction for those units is
    instead the gradient of -|<r, v>|_mu, which turns the unit towards the residual
    (Jones's greedy picks the unit of largest correlation): the search direction, not the
    gradient of the value.
    """
    V = jax.nn.sigmoid(X @ theta[:, :-1].T + theta[:, -1])
    rr, ru, uu = stats
    wV = w[:, None] * V
    rv = r @ wV
    value, alpha, c = _best_mixture(rr, ru, rv, uu, u @ wV, jnp.sum(wV * V, axis=0), bound,
                                    alpha_fixed)
    G = -2 * c * (r[:, None] + alpha * u[:, None] - c * V) * wV * (1 - V)
    if search:
        turn = -jnp.sign(rv) * r[:, None] * wV * (1 - V)
        G = jnp.where(c == 0, turn, G)
    grad = jnp.concatenate([G.T @ X, jnp.sum(G, axis=0)[:, None]], axis=1)
    return value, grad, alpha, c


def search_unit(
    theta0: Float[Array, "R d1"],
    X: Float[Array, "N d"],
    w: Float[Array, " N"],
    h: Float[Array, " N"],
    u: Float[Array, " N"],
    bound: float,
    alpha_fixed: float,
    *,
    steps: int,
    learning_rate: float,
) -> UnitSearch:
    """Adam on the profiled objective from every row of `theta0` at once (batched + jit).

    The arguments are checked first (ValueErrors naming them).

    **Arguments:**

    - `theta0`: `(R, d + 1)` starting units `(a, b)`, one row per restart.
    - `X`, `w`: the samples and their probabilities (the measure mu; zero weights pad).
    - `h`, `u`: the centred target and the current approximation f_{k-1} on the samples.
    - `bound`: 2C, the largest |gamma| of a unit gamma sigma(a . x + b).
    - `alpha_fixed`: the mixture weight of the relaxed step, or -1 to optimise it too.
    - `steps`, `learning_rate`: Adam's iterations and step size.

    **Returns:**

    The best unit over all restarts and iterations (`UnitSearch`).

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from kernelrich.barron import initial_units, search_unit, uniform_ball
    >>> X = uniform_ball(64, 8, seed=0)
    >>> h = jnp.tanh(3 * X[:, 0])
    >>> w, u = jnp.full(64, 1 / 64), jnp.zeros(64)
    >>> theta0 = initial_units(np.random.default_rng(0), X, restarts=8)
    >>> best = search_unit(theta0, X, w, h, u, bound=4.0, alpha_fixed=-1.0, steps=50,
    ...                    learning_rate=0.1)
    >>> best.values.shape, round(float(best.value), 4), round(float(w @ h**2), 4)
    ((8,), 0.1398, 0.3411)

    ```
    """
    theta0 = _validate.finite_array("theta0", theta0, ndim=2)
    X = _validate.finite_array("X", X, ndim=2)
    N, d = X.shape
    if theta0.shape[1] != d + 1:
        raise ValueError(f"theta0 must have d + 1 = {d + 1} columns (a, b), got shape "
                         f"{theta0.shape}")
    arrays = {}
    for name, value in (("w", w), ("h", h), ("u", u)):
        arrays[name] = _validate.finite_array(name, value, ndim=1)
        if arrays[name].shape != (N,):
            raise ValueError(f"{name} must have one entry per sample ({N},), got shape "
                             f"{arrays[name].shape}")
    if (arrays["w"] < 0).any() or arrays["w"].sum() <= 0:
        raise ValueError(f"w must be probabilities (>= 0, positive sum), got "
                         f"{_validate._show(arrays['w'])}")
    for name, value in (("theta0", theta0), ("X", X), ("h", arrays["h"]), ("u", arrays["u"])):
        _validate.bounded(name, value)
    bound = _validate.positive("bound", bound)
    alpha_fixed = float(_validate.finite_array("alpha_fixed", [alpha_fixed])[0])
    if alpha_fixed != -1 and not 0 <= alpha_fixed <= 1:
        raise ValueError(f"alpha_fixed must be -1 or in [0, 1], got {alpha_fixed}")
    steps = _validate.integer("steps", steps, minimum=1)
    learning_rate = _validate.positive("learning_rate", learning_rate)
    found = _search_unit(jnp.asarray(theta0), jnp.asarray(X), jnp.asarray(arrays["w"]),
                         jnp.asarray(arrays["h"]), jnp.asarray(arrays["u"]), bound,
                         alpha_fixed, steps=steps, learning_rate=learning_rate)
    _validate.finite_result(jnp.concatenate([found.a, jnp.stack([found.b, found.c, found.value])]),
                            names="theta0, X, h, u",
                            what="the best unit")
    return found


@functools.partial(jax.jit, static_argnames=("steps",))
def _search_unit(
    theta0: Float[Array, "R d1"],
    X: Float[Array, "N d"],
    w: Float[Array, " N"],
    h: Float[Array, " N"],
    u: Float[Array, " N"],
    bound: float,
    alpha_fixed: float,
    *,
    steps: int,
    learning_rate: float,
) -> UnitSearch:
    """`search_unit` without the checks (compiled; the greedy loop calls it)."""
    r = h - u
    stats = (w @ (r * r), w @ (r * u), w @ (u * u))
    profile = functools.partial(_profile, X=X, w=w, r=r, u=u, stats=stats, bound=bound,
                                alpha_fixed=alpha_fixed)

    def adam(carry, i):
        theta, m, s, best_v, best_t = carry
        v, g, _, _ = profile(theta, search=True)
        improved = v < best_v
        best_v = jnp.where(improved, v, best_v)
        best_t = jnp.where(improved[:, None], theta, best_t)
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        mhat, shat = m / (1 - 0.9 ** (i + 1)), s / (1 - 0.999 ** (i + 1))
        theta = theta - learning_rate * mhat / (jnp.sqrt(shat) + 1e-12)
        return (theta, m, s, best_v, best_t), None

    zeros = jnp.zeros_like(theta0)
    init = (theta0, zeros, zeros, jnp.full(theta0.shape[0], _INF), theta0)
    (theta, _, _, best_v, best_t), _ = jax.lax.scan(adam, init, jnp.arange(steps))
    last = profile(theta)[0]
    best_t = jnp.where((last < best_v)[:, None], theta, best_t)
    best_v = jnp.minimum(last, best_v)
    k = jnp.argmin(best_v)
    value, _, alpha, c = profile(best_t[k][None])
    return UnitSearch(best_t[k, :-1], best_t[k, -1], alpha[0], c[0], value[0], best_v)


def initial_units(rng: np.random.Generator, X: Float[np.ndarray, "N d"], restarts: int,
                  scales: tuple[float, float] = (1.0, 30.0)) -> Float[np.ndarray, "R d1"]:
    """Random starting units: direction uniform on the sphere, |a| log-uniform in `scales`,
    and the hyperplane a . x + b = 0 through a random sample point (so that it cuts the data).
    NumPy, so that drawing them compiles nothing.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import initial_units, uniform_ball
    >>> X = uniform_ball(20, 2, seed=0)
    >>> theta = initial_units(np.random.default_rng(0), X, restarts=4)
    >>> theta.shape, bool(np.all(np.linalg.norm(theta[:, :2], axis=1) >= 1.0))
    ((4, 3), True)

    ```
    """
    X = _validate.finite_array("X", X, ndim=2)
    restarts = _validate.integer("restarts", restarts, minimum=1)
    z = rng.standard_normal((restarts, X.shape[1]))
    size = np.exp(rng.uniform(np.log(scales[0]), np.log(scales[1]), (restarts, 1)))
    a = size * z / np.linalg.norm(z, axis=1, keepdims=True)
    b = -np.sum(a * X[rng.integers(0, X.shape[0], restarts)], axis=1)
    return np.concatenate([a, b[:, None]], axis=1)
