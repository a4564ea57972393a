"""The gradient-flow trajectory of a depth-D diagonal network (Woodworth et al. 2020).

On L(w) = sum_n (<beta(w), x_n> - y_n)^2 with beta = w_+^D - w_-^D and w_+(0) = w_-(0) = A
(A = alpha * w0), the flow w' = -grad L(w) integrates per coordinate (Section 4, Theorems 1
and 3). With the residual r = X beta - y and s(t) = int_0^t r:

- D = 2:  w_+- = A exp(-+ 4 X^T s), so beta = 2 A^2 sinh(X^T nu);
- D >= 3: w_+-^(2-D) = A^(2-D) + - 2D(D-2) X^T s, so beta = A^D h_D(A^(D-2) X^T nu);

with nu = -kappa s, kappa = 8 (D = 2) or 2D(D-2) (D >= 3). Hence the whole flow is the
N-dimensional ODE

    nu' = kappa (y - X b(X^T nu)),   nu(0) = 0,

kappa times the gradient flow of the convex dual phi(nu) = sum_i Qstar_i((X^T nu)_i) - y.nu
(`_links.beta_of_dual` is b, computed from log A). `gradient_flow` integrates it;
`parameter_flow` integrates the 2d-dimensional parameter ODE with `jax.grad`, as an
independent check of the reduction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Float

from .. import _validate
from . import _links


@dataclass(frozen=True)
class FlowPath:
    """Gradient flow saved at given times.

    **Fields:**
    - `times`: the save times, shape (T,).
    - `beta`: beta(t) at each time, shape (T, d).
    - `nu`: the dual variable nu(t) = -kappa int_0^t r, shape (T, N) (shape (T, 0) from
      `parameter_flow`, which does not track it).
    - `loss`: L(t) = sum_n (<beta(t), x_n> - y_n)^2, shape (T,).
    - `num_steps`: solver steps taken (accepted and rejected; at most `max_steps`).
    - `method`: how the path was computed, with the solver tolerances.
    """

    times: Float[np.ndarray, " T"]
    beta: Float[np.ndarray, "T d"]
    nu: Float[np.ndarray, "T N"]
    loss: Float[np.ndarray, " T"]
    num_steps: int
    method: str


def kappa(depth: int) -> float:
    """The rate in nu' = kappa (y - X beta): 8 for D = 2, 2D(D-2) for D >= 3."""
    return 8.0 if depth == 2 else 2.0 * depth * (depth - 2)


def _check_times(times: object) -> np.ndarray:
    times = _validate.finite_array("times", times, ndim=1)
    if times[0] < 0:
        raise ValueError(f"times must be >= 0, got times[0]={times[0]}")
    steps = np.diff(times)
    if (steps < 0).any():
        i = int(np.argmax(steps < 0))
        raise ValueError(
            f"times must be non-decreasing, got times[{i}]={times[i]} > "
            f"times[{i + 1}]={times[i + 1]}"
        )
    return times


def _pad(times: np.ndarray) -> np.ndarray:
    """Repeat the last time up to a power of two, so that grids of similar length share
    one compiled solver."""
    size = max(8, 1 << (len(times) - 1).bit_length())
    return np.concatenate([times, np.full(size - len(times), times[-1])])


def _solve(field, y0, args, times, rtol, atol, max_steps):
    """Kvaerno5 (implicit, L-stable, order 5) with a PID controller; its stage equations
    are solved by Newton's method (a fresh N x N Jacobian per iteration is cheap here and
    converges where diffrax's default chord iteration is rejected half the time). The
    Newton stopping test on the stage values is absolute in f-space, so its `atol` is
    floored at `rtol` times the initial |f|: below that the vector field's own rounding
    noise (it is a difference of nearly equal terms once the flow interpolates) would
    make every Newton solve fail and stall the solver."""
    scale = jnp.max(jnp.abs(field(0.0, y0, args)))
    newton = optx.Newton(rtol=rtol, atol=jnp.maximum(atol, rtol * scale))
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field),
        diffrax.Kvaerno5(root_finder=newton),
        t0=0.0,
        t1=times[-1],
        dt0=None,
        y0=y0,
        args=args,
        saveat=diffrax.SaveAt(ts=times),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
        throw=False,
    )
    failed = sol.result != diffrax.RESULTS.successful
    hit_max = sol.result == diffrax.RESULTS.max_steps_reached
    return sol.ys, sol.stats["num_steps"], failed, hit_max


@functools.partial(jax.jit, static_argnames=("depth", "max_steps"))
def _reduced(X, y, log_a, times, rtol, atol, *, depth, max_steps):
    rate = kappa(depth)

    def field(t, nu, args):
        X, y, log_a = args
        return rate * (y - X @ _links.beta_of_dual(X.T @ nu, log_a, depth, jnp))

    return _solve(field, jnp.zeros(len(y)), (X, y, log_a), times, rtol, atol, max_steps)


@functools.partial(jax.jit, static_argnames=("depth", "max_steps"))
def _parameters(X, y, a, times, rtol, atol, *, depth, max_steps):
    def loss(w, X, y):
        r = X @ (w[0] ** depth - w[1] ** depth) - y
        return jnp.sum(r * r)

    def field(t, w, args):
        return -jax.grad(loss)(w, *args)

    return _solve(field, jnp.stack([a, a]), (X, y), times, rtol, atol, max_steps)


def _run(solver, X, y, init, times, depth, rtol, atol, max_steps, what):
    """Validate the solver options, call the jitted `solver`, and check its result."""
    rtol = _validate.positive("rtol", rtol)
    atol = _validate.positive("atol", atol)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    if times[-1] == 0:
        return None, 0
    ys, num_steps, failed, hit_max = solver(
        X, y, init, _pad(times), rtol, atol, depth=depth, max_steps=max_steps
    )
    if bool(failed):
        why = f"max_steps={max_steps} reached" if bool(hit_max) else "the solver failed"
        raise RuntimeError(
            f"{what}: {why} before t={times[-1]:g} (rtol={rtol:g}, atol={atol:g}); "
            "raise max_steps or loosen the tolerances"
        )
    return np.asarray(ys)[: len(times)], int(num_steps)


def _inputs(X, y, alpha, depth, w0, times):
    X, y, alpha, depth, w0 = _validate.diagonal_run(X, y, alpha, depth, w0)
    return X, y, alpha, depth, w0, _check_times(times)


def _path(X, y, times, beta, nu, num_steps, method) -> FlowPath:
    r = beta @ X.T - y
    return FlowPath(times, beta, nu, np.sum(r * r, axis=-1), num_steps, method)


def gradient_flow(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    times: Float[np.ndarray, " T"],
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_steps: int = 100_000,
) -> FlowPath:
    """Gradient flow on the depth-D diagonal network, by its exact N-dimensional reduction.

    Woodworth et al. (2020), Section 4: the flow from w_+ = w_- = alpha * w0 on
    L(w) = sum_n (<beta(w), x_n> - y_n)^2 is beta(t) = b(X^T nu(t)) with
    nu' = kappa (y - X b(X^T nu)), nu(0) = 0 (module docstring). That ODE is stiff for
    large alpha (its Jacobian is -kappa X diag(b') X^T), so it is integrated by the
    implicit Kvaerno5 with a PID step-size controller. The link b works in log(alpha * w0):
    alpha down to 1e-100 stays finite for D = 2.

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,).
    - `alpha`: the initialisation scale, > 0.
    - `depth`: D >= 2.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `times`: save times, 1-D, non-decreasing, >= 0.
    - `rtol`, `atol`: the step-size controller's tolerances on nu.
    - `max_steps`: solver steps allowed; more raise `RuntimeError`.

    **Returns:** a `FlowPath` with beta, nu and the loss at each of `times`.

    **Example:**

    From alpha = 0.1 the loss falls from L(0) = ||y||^2 = 1.5625 to 0, and the path ends at
    the limit that `flow_limit` computes by another route (Newton on the dual problem):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import flow_limit, gradient_flow
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> path = gradient_flow(X, y, 0.1, times=np.array([0.0, 1.0, 40.0]))
    >>> path.loss.round(6)
    array([1.5625  , 0.006216, 0.      ])
    >>> path.beta[-1].round(6)
    array([0.272861, 0.022861, 0.727139])
    >>> bool(np.allclose(path.beta[-1], flow_limit(X, y, 0.1), rtol=0.0, atol=1e-11))
    True

    ```
    """
    X, y, alpha, depth, w0, times = _inputs(X, y, alpha, depth, w0, times)
    log_a = np.log(alpha) + np.log(w0)
    nu, num_steps = _run(_reduced, X, y, log_a, times, depth, rtol, atol, max_steps,
                         "gradient_flow")
    method = f"reduced N-dim ODE (diffrax Kvaerno5, rtol={rtol:g}, atol={atol:g})"
    if nu is None:
        nu = np.zeros((len(times), len(y)))
    beta = _links.beta_of_dual(nu @ X, log_a, depth, np)
    return _path(X, y, times, beta, nu, num_steps, method)


def parameter_flow(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    times: Float[np.ndarray, " T"],
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_steps: int = 100_000,
) -> FlowPath:
    """Gradient flow on the depth-D diagonal network, integrated in the parameters.

    The generic route: w = (w_+, w_-) in R^{2d}, w' = -grad L(w) by `jax.grad`, from
    w_+ = w_- = alpha * w0, with the same solver as `gradient_flow` (Kvaerno5, PID). It
    uses none of the closed forms of Woodworth et al. (2020), so it cross-checks the
    reduction in `gradient_flow`; it is slower (dimension 2d instead of N) and, with an
    absolute tolerance on w, inaccurate when alpha * w0 is not well above `atol`.

    **Arguments:** as `gradient_flow`; `rtol` and `atol` apply to w.

    **Returns:** a `FlowPath`; its `nu` has shape (T, 0) (not tracked).

    **Example:**

    The 2d-dimensional flow in w and the N-dimensional reduction agree along the path:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import gradient_flow, parameter_flow
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> times = np.array([0.0, 1.0, 40.0])
    >>> in_w = parameter_flow(X, y, 0.1, times=times)
    >>> reduced = gradient_flow(X, y, 0.1, times=times)
    >>> bool(np.allclose(in_w.beta, reduced.beta, rtol=0.0, atol=1e-8)), in_w.nu.shape
    (True, (3, 0))

    ```
    """
    X, y, alpha, depth, w0, times = _inputs(X, y, alpha, depth, w0, times)
    a = alpha * w0
    w, num_steps = _run(_parameters, X, y, a, times, depth, rtol, atol, max_steps,
                        "parameter_flow")
    method = f"parameter 2d-dim ODE (diffrax Kvaerno5, rtol={rtol:g}, atol={atol:g})"
    if w is None:
        w = np.broadcast_to(a, (len(times), 2, len(a)))
    beta = w[:, 0] ** depth - w[:, 1] ** depth
    return _path(X, y, times, beta, np.zeros((len(times), 0)), num_steps, method)
