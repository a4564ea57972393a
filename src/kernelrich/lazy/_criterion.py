"""The laziness criterion kappa_h(w0) = ||h(w0) - y*|| ||D^2 h(w0)|| / ||Dh(w0)||^2 and its
scaled version kappa_{alpha h}(w0) = (1/alpha) ||alpha h(w0) - y*|| ||D^2h|| / ||Dh||^2
(Chizat et al. 2019, Section 2.2), with operator norms estimated by power iteration on
Jacobian- and Hessian-vector products (no Jacobian or Hessian is formed).

Norms: parameters carry the Euclidean norm, outputs the empirical norm ||f||_F^2 =
(1/n) sum_i |f(x_i)|^2 of the loss R(f) = (1/2) ||f - y*||_F^2. kappa does not depend on this
normalisation (each factor carries 1/sqrt(n) and they cancel).
- ||Dh|| = sup_{|u| = 1} ||Dh u||_F, the largest singular value, by power iteration on
  u -> Dh^T Dh u (a jvp then a vjp);
- ||D^2h|| = sup_{|u| = |v| = 1} ||D^2h[u, v]||_F, the norm of D^2h as a bilinear map
  R^p x R^p -> F. As D^2h is symmetric, it equals sup_{|e| = |u| = 1} |<e, D^2h[u, u]>_F|
  = sup_e ||sum_i e_i Hess h_i||_op, estimated by alternating maximisation: u <- the
  top-|eigenvalue| Ritz vector of H_e = sum_i e_i Hess h_i on an 8-dimensional Krylov space
  from u (restarted Lanczos on Hessian-vector products of <e, h>: a jvp inside a vjp; it
  separates the +-lambda pairs and clusters on which plain power iteration stalls),
  e <- D^2h[u, u] / norm (a jvp of a jvp). This ascent gives a lower bound that converges
  to a local maximum; `restarts` random starts are run and the largest value is kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .. import _validate
from ._problem import check_problem, f_norm


@dataclass(frozen=True)
class Laziness:
    """**Fields:** `kappa` = kappa_{alpha h}(w0) (an array if alpha was one), `alpha`,
    `residual` = ||alpha h(w0) - y*||_F, `jacobian_norm` = ||Dh(w0)||, `hessian_norm` =
    ||D^2h(w0)|| (estimates, see the module docstring), `h0_norm` = ||h(w0)||_F."""

    kappa: np.ndarray
    alpha: np.ndarray
    residual: np.ndarray
    jacobian_norm: float
    hessian_norm: float
    h0_norm: float


def laziness(apply, params0, X, y, alpha=1.0, *, iterations: int = 30, restarts: int = 3,
             seed: int = 0) -> Laziness:
    """The scaled laziness criterion kappa_{alpha h}(w0) (Chizat et al. 2019, Section 2.2;
    kappa_h for alpha = 1). Small kappa means lazy training.

    **Arguments:**

    - `apply`, `params0`, `X`, `y`: the model, w0, training inputs and targets y*.
    - `alpha`: a scale > 0 or a 1-D array of them (the norms are computed once).
    - `iterations`: power-iteration steps per estimate; `restarts`: random starts for
      ||D^2h||; `seed`: their randomness.

    **Returns:** a `Laziness`.

    **Example:**

    The diagonal network at w_+ = w_- = 1 on X = I (n = d = 2) has ||Dh|| = 2 and
    ||D^2h|| = sqrt(2) (both in the empirical norm), so with y* = (1, 1) and h(w0) = 0,
    kappa_{alpha h} = ||y*||_F sqrt(2) / (4 alpha) = 0.353553 / alpha:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, laziness
    >>> X, y = np.eye(2), np.array([1.0, 1.0])
    >>> lazy = laziness(diagonal_net, diagonal_init(2), X, y, alpha=np.array([1.0, 10.0]),
    ...                 iterations=10, restarts=1)
    >>> lazy.kappa.round(6)
    array([0.353553, 0.035355])
    >>> round(lazy.jacobian_norm, 6), round(lazy.hessian_norm, 6), lazy.h0_norm
    (2.0, 1.414214, 0.0)

    ```
    """
    X, y = check_problem(apply, params0, X, y)
    alphas = np.atleast_1d(_validate.positive("alpha", alpha, allow_array=True))
    iterations = _validate.integer("iterations", iterations, minimum=1)
    restarts = _validate.integer("restarts", restarts, minimum=1)
    J, H = operator_norms(apply, params0, X, iterations=iterations, restarts=restarts,
                          seed=seed)
    h0 = apply(params0, X)
    res = np.array([float(f_norm(a * h0 - y)) for a in alphas])
    kappa = res * H / (alphas * J**2)
    squeeze = np.ndim(alpha) == 0
    return Laziness(kappa[0] if squeeze else kappa, alphas[0] if squeeze else alphas,
                    res[0] if squeeze else res, J, H, float(f_norm(h0)))


def operator_norms(apply, params0, X, *, iterations: int = 30, restarts: int = 3,
                   seed: int = 0) -> tuple[float, float]:
    """(||Dh(w0)||, ||D^2h(w0)||) as in the module docstring, F carrying the empirical norm.

    **Example:**

    For the diagonal network at w_+ = w_- = s on inputs X (n rows), Dh u = 2 s X (u_+ - u_-)
    and D^2h[u, u] = 2 X (u_+^2 - u_-^2), so ||Dh|| = 2 sqrt(2) s sigma_max(X) / sqrt(n) and
    ||D^2h|| = 2 max_j ||X e_j|| / sqrt(n); for s = 1 and X = I (n = 2), 2 and sqrt(2):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, operator_norms
    >>> J, H = operator_norms(diagonal_net, diagonal_init(2), np.eye(2), iterations=10,
    ...                       restarts=1)
    >>> round(J, 6), round(H, 6)
    (2.0, 1.414214)

    ```
    """
    keys = jax.random.split(jax.random.key(seed), restarts)
    J, H = _norms(apply, iterations)(params0, jnp.asarray(X), keys)
    return float(J), float(jnp.max(H))


@functools.lru_cache(maxsize=16)
def _norms(apply, iterations):
    def run(params0, X, keys):
        n = X.shape[0]
        theta, unravel = ravel_pytree(params0)

        def h(t):
            return jnp.ravel(apply(unravel(t), X)) / jnp.sqrt(n)

        out, vjp = jax.vjp(h, theta)

        def jtj(u):
            return vjp(jax.jvp(h, (theta,), (u,))[1])[0]

        def second(u):  # D^2h[u, u]
            return jax.jvp(lambda t: jax.jvp(h, (t,), (u,))[1], (theta,), (u,))[1]

        def hvp(e, u):  # grad_t <e, Dh(t) u> = (sum_i e_i Hess h_i) u
            return jax.grad(lambda t: jnp.dot(e, jax.jvp(h, (t,), (u,))[1]))(theta)

        def unit(v):
            return v / jnp.maximum(jnp.linalg.norm(v), 1e-300)

        k0 = keys[0]
        u = unit(jax.random.normal(k0, theta.shape))
        u = jax.lax.fori_loop(0, iterations, lambda _, v: unit(jtj(v)), u)
        J = jnp.sqrt(jnp.linalg.norm(jtj(u)))

        def hessian(key):
            ku, ke = jax.random.split(key)
            u = unit(jax.random.normal(ku, theta.shape))
            e = unit(jax.random.normal(ke, out.shape))

            def body(_, state):  # restarted Lanczos step on H_e, then e <- D^2h[u, u]
                u, e = state
                u = _top_ritz(lambda v: hvp(e, v), u, unit)
                return u, unit(second(u))

            u, e = jax.lax.fori_loop(0, iterations, body, (u, e))
            return jnp.linalg.norm(second(u))

        return J, jax.vmap(hessian)(keys)

    return jax.jit(run)


KRYLOV = 8
"""Dimension of the Krylov space of each restarted-Lanczos step of the ||D^2h|| estimate."""


def _top_ritz(matvec, u, unit):
    """The Ritz vector of largest |Ritz value| of a symmetric operator on the Krylov space
    span(u, Au, ..., A^{k-1} u) (k = KRYLOV, fully reorthogonalised)."""
    k = min(KRYLOV, u.shape[0])
    Q = jnp.zeros((k, u.shape[0])).at[0].set(u)

    def build(i, Q):
        v = matvec(Q[i])
        v = v - Q.T @ (Q @ v)
        return Q.at[i + 1].set(unit(v - Q.T @ (Q @ v)))

    Q = jax.lax.fori_loop(0, k - 1, build, Q)
    T = Q @ jax.vmap(matvec)(Q).T
    vals, vecs = jnp.linalg.eigh(0.5 * (T + T.T))
    return unit(vecs[:, jnp.argmax(jnp.abs(vals))] @ Q)
