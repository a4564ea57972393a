"""A sweep of (S)GD runs over step sizes x batch sizes x seeds as one compiled, vmapped program
(Even, Pesme, Gunasekar & Flammarion 2023, Figures 1-2: test error against step and batch
size). Run (i, j, k) is exactly `gradient_descent(..., step=steps[i], batch_size=batch_sizes[j],
seed=seeds[k])` (same draws, same arithmetic); `SweepResult.run` returns it as a `GDResult`.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from .._progress import progress_bar
from . import _sgd
from ._descent import GDResult, batch_options


@dataclass(frozen=True)
class SweepResult:
    """The runs of `sgd_sweep`, indexed (step i, batch size j, seed k).

    **Fields:**
    - `steps`, `batch_sizes`, `seeds`: the axes, shapes (S,), (B,), (R,).
    - `beta`, `w_plus`, `w_minus`: after each run's last step, shape (S, B, R, d).
    - `loss`: each run's last full loss, shape (S, B, R).
    - `steps_run`: steps each run took, (S, B, R).
    - `converged`: loss below `stop_loss` (False if none was given), (S, B, R).
    - `diverged`: the loss or the parameters became non-finite; the run keeps the state
      before that step, (S, B, R).
    - `log_alpha_plus`, `log_alpha_minus`, `mu`: as in `GDResult` (D = 2; else None).
    - `loss_integral`, `sharpness`, `loss_increases`: as in `GDResult`, (S, B, R)
      (`sharpness` None unless tracked).
    - `loss_kind`, `depth`, `replace`, `init`: the normalisation, depth, draws, alpha w0.
    """

    steps: np.ndarray
    batch_sizes: np.ndarray
    seeds: np.ndarray
    beta: np.ndarray
    w_plus: np.ndarray
    w_minus: np.ndarray
    loss: np.ndarray
    steps_run: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    log_alpha_plus: np.ndarray | None
    log_alpha_minus: np.ndarray | None
    mu: np.ndarray | None
    loss_integral: np.ndarray
    sharpness: np.ndarray | None
    loss_increases: np.ndarray
    loss_kind: str
    depth: int
    replace: bool
    init: np.ndarray

    def run(self, i: int, j: int, k: int) -> GDResult:
        """Run (i, j, k) as a `GDResult` (without the per-step losses: `losses` holds only
        the last one), e.g. for `effective_initialisation`."""
        idx = (i, j, k)
        two = self.log_alpha_plus is not None
        return GDResult(
            self.beta[idx], self.w_plus[idx], self.w_minus[idx], np.array([self.loss[idx]]),
            int(self.steps_run[idx]), float(self.steps[i]), self.loss_kind,
            bool(self.converged[idx]), int(self.batch_sizes[j]), self.replace,
            int(self.seeds[k]), self.log_alpha_plus[idx] if two else None,
            self.log_alpha_minus[idx] if two else None, self.mu[idx] if two else None,
            float(self.loss_integral[idx]),
            None if self.sharpness is None else float(self.sharpness[idx]),
            int(self.loss_increases[idx]), self.init)


def _axis(name: str, values: object) -> list:
    if isinstance(values, str) or np.ndim(values) != 1 or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D list, got {values!r}")
    return list(values)


def sgd_sweep(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    steps: Float[np.ndarray, " S"],
    batch_sizes: Float[np.ndarray, " B"],
    seeds: Float[np.ndarray, " R"],
    iterations: int,
    loss: str = "mean",
    replace: bool = False,
    stop_loss: float | None = None,
    chunk: int = 1000,
    sharpness: bool = False,
    progress: bool = False,
) -> SweepResult:
    """Every (S)GD run of a grid of constant steps, batch sizes and seeds, as one program.

    The S x B x R runs are rows of one `jax.vmap` of the engine behind `gradient_descent`
    (its products with X become matrix-matrix products); each run stops at `stop_loss`, at
    divergence (flagged, not raised) or after `iterations` steps, and the program stops when
    every run has.

    **Arguments:**
    - `X`, `y`, `alpha`, `depth`, `w0`, `loss`, `replace`, `stop_loss`, `chunk`,
      `sharpness`, `progress`: as `gradient_descent`.
    - `steps`: the constant step sizes, 1-D, > 0.
    - `batch_sizes`: 1-D, each in 1..N.
    - `seeds`: 1-D non-negative integers.
    - `iterations`: the most steps of each run, >= 1.

    **Returns:** a `SweepResult`.

    **Example:**

    GD (b = N = 2) and SGD (b = 1) at two steps, to loss 1e-20; each run ends at the limit
    its effective initialisation predicts. At the large step, SGD ends nearer the
    minimum-l1 interpolator (1/4, 0, 3/4) than GD (second coordinate 0.0256 against 0.0378),
    at the small one both are near the flow's limit (0.0229):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import effective_initialisation, sgd_sweep
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> sweep = sgd_sweep(X, y, 0.1, steps=[0.01, 0.1], batch_sizes=[1, 2], seeds=[0],
    ...                   iterations=2000, loss="sum", stop_loss=1e-20)
    >>> sweep.beta.shape, bool(sweep.converged.all())  # (steps, batch sizes, seeds, d)
    ((2, 2, 1, 3), True)
    >>> sweep.beta[:, :, 0, 1].round(4)  # rows: step 0.01, 0.1; columns: b = 1, 2
    array([[0.0231, 0.0244],
           [0.0256, 0.0378]])
    >>> predicted = [effective_initialisation(sweep.run(i, j, 0), X, y).predicted
    ...              for i in range(2) for j in range(2)]
    >>> bool(np.allclose(predicted, sweep.beta[:, :, 0].reshape(4, 3), rtol=0.0, atol=1e-9))
    True

    ```
    """
    X, y, alpha, depth, w0 = _validate.diagonal_run(X, y, alpha, depth, w0)
    gammas = _validate.positive("steps", np.atleast_1d(np.asarray(steps, float)),
                                allow_array=True)
    bs = np.array([batch_options(b, len(y), replace, 0)[0]
                   for b in _axis("batch_sizes", batch_sizes)])
    seeds_ = np.array([_validate.integer("seeds", s, minimum=0) for s in _axis("seeds", seeds)])
    stochastic = bool(replace) or bool(np.any(bs < len(y)))
    _, iterations, loss, stop_loss, chunk = _validate.descent_options(1.0, iterations, loss,
                                                                      stop_loss, chunk)
    S, B, R = len(gammas), len(bs), len(seeds_)
    scale = 1.0 if loss == "sum" else 1.0 / len(y)
    threshold = -np.inf if stop_loss is None else stop_loss
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    one = _sgd.initial(Xj, yj, jnp.asarray(alpha * w0), depth, scale, jax.random.PRNGKey(0),
                       threshold)
    keys = jnp.stack([jax.random.PRNGKey(int(s)) for s in seeds_])
    states = jax.tree_util.tree_map(lambda a: jnp.broadcast_to(a, (S * B * R, *a.shape)), one)
    states = states._replace(key=jnp.tile(keys, (S * B, 1)))
    base = jnp.asarray(np.repeat(gammas, B * R))
    batch = jnp.asarray(np.tile(np.repeat(bs, R), S).astype(float))
    done = 0
    with progress_bar("SGD sweep", iterations, progress) as update:
        while done < iterations and not bool(jnp.all(states.done)):
            active = min(chunk, iterations - done)
            states, _ = _sgd.sgd_chunk(states, Xj, yj, scale, base, jnp.ones(chunk), batch,
                                       active, threshold, depth=depth, stochastic=stochastic,
                                       replace=replace, track=sharpness, record=False)
            done += active
            update(completed=done)
    s = jax.tree_util.tree_map(lambda a: np.asarray(a).reshape(S, B, R, *a.shape[1:]), states)
    two = depth == 2
    log_a = np.log(alpha) + np.log(w0)
    return SweepResult(
        gammas, bs, seeds_, s.w[:, :, :, 0] ** depth - s.w[:, :, :, 1] ** depth,
        s.w[:, :, :, 0], s.w[:, :, :, 1], s.loss, s.steps_run,
        (s.done & ~s.diverged) if stop_loss is not None else np.zeros((S, B, R), bool),
        s.diverged, log_a + s.log_gain[:, :, :, 0] if two else None,
        log_a + s.log_gain[:, :, :, 1] if two else None, s.mu if two else None, s.integral,
        s.sharpness if sharpness else None, s.increases, loss, depth,
        replace, alpha * w0)
