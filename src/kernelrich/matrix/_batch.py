"""Gradient descent on a batch of initialisations at once (`jax.vmap` over the compiled
chunk): several seeds, init scales or step sizes of one problem and architecture."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from . import _checks, _descent
from ._descent import DescentResult, training_loss
from ._models import Factorisation
from ._problems import Completion, Sensing


@functools.partial(jax.jit, static_argnames=("chunk", "adaptive"))
def _batched_chunk(state, problem, scale, step, active, stop_loss, decay, eps, *, chunk,
                   adaptive):
    """`_descent._scan` mapped over the members (state and step), the problem shared."""
    scan = functools.partial(_descent._scan, chunk=chunk, adaptive=adaptive)
    return jax.vmap(scan, in_axes=(0, None, None, 0, None, None, None, None))(
        state, problem, scale, step, active, stop_loss, decay, eps)


def gradient_descent_batch(problem: Sensing | Completion, models: Sequence[Factorisation],
                           *, step: float | Sequence[float], steps: int, loss: str = "mean",
                           stop_loss: float | None = None, chunk: int = 1000, top: int = 10,
                           optimizer: str = "gd", decay: float = 0.99, eps: float = 1e-4
                           ) -> list[DescentResult]:
    """`gradient_descent` for every model in `models` (same architecture and shapes), run
    together: each member stops on its own at `stop_loss`; the batch runs until all have
    stopped or `steps` steps. Iterates equal `gradient_descent`'s member by member.

    **Arguments:** as `gradient_descent`, with `models` a non-empty sequence and `step` one
    number or one per model.

    **Returns:** one `DescentResult` per model, in order; `times` count the batch's steps
    (a member that stopped keeps its last singular values).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, deep_factors, gradient_descent_batch
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.array([2.0, 1.0, 1.0]))
    >>> models = [deep_factors(0, n=2, depth=2, scale=scale) for scale in (1e-6, 1.0)]
    >>> results = gradient_descent_batch(problem, models, step=0.2, steps=1000, stop_loss=1e-12,
    ...                                  chunk=100)
    >>> [(r.converged, round(float(r.matrix[1, 1]), 4)) for r in results]  # rank 1: 0.5
    [(True, 0.5), (True, 0.1189)]

    ```
    """
    if len(models) == 0:
        raise ValueError("models must not be empty")
    try:
        steps_list = np.broadcast_to(_validate.real_array("step", step), (len(models),))
    except (TypeError, ValueError) as err:
        raise ValueError(f"step must be one number or one per model ({len(models)}), got "
                         f"{_validate._show(step)}") from err
    structure = jax.tree_util.tree_structure(models[0])
    shapes = [np.shape(x) for x in jax.tree_util.tree_leaves(models[0])]
    models = list(models)
    for k, model in enumerate(models):
        opts = _descent._options(problem, model, float(steps_list[k]), steps, loss,
                                 stop_loss, chunk, top, optimizer, decay, eps, f"models[{k}]")
        if (jax.tree_util.tree_structure(model) != structure
                or [np.shape(x) for x in jax.tree_util.tree_leaves(model)] != shapes):
            raise ValueError(f"models must share one architecture; models[{k}] differs "
                             "from models[0]")
        models[k] = opts[1]
    problem, _, _, steps, stop_loss, chunk, top, decay, eps = opts
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    problem = jax.tree_util.tree_map(jnp.asarray, problem)
    stacked = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *models)
    values, grads = jax.vmap(jax.value_and_grad(training_loss), in_axes=(0, None, None))(
        stacked, problem, scale)
    done0 = values < stop_loss if stop_loss is not None else jnp.zeros(len(models), bool)
    state = (stacked, grads, done0, jnp.zeros(len(models), jnp.float64),
             jnp.zeros(len(models), jnp.int64))
    threshold = -np.inf if stop_loss is None else stop_loss
    losses, times, sigmas, done = [], [0], [_tops(stacked, top)], 0
    while done < steps and not bool(jnp.all(state[2])):
        state, (vals, ran) = _batched_chunk(state, problem, scale, jnp.asarray(steps_list),
                                            steps - done, threshold, decay, eps, chunk=chunk,
                                            adaptive=optimizer == "group_rmsprop")
        vals, ran = np.asarray(vals), np.asarray(ran)
        if not np.all(np.isfinite(vals[ran])):
            raise _checks.DivergenceError("GD diverged in the batch with step="
                                          f"{_validate._show(steps_list)}; try a smaller step")
        losses.append((vals, ran))
        done += int(ran.any(axis=0).sum())
        times.append(done)
        sigmas.append(_tops(state[0], top))
    results = []
    for k in range(len(models)):
        member = jax.tree_util.tree_map(lambda a, k=k: a[k], state[0])
        kept = [v[k][r[k]] for v, r in losses]
        run = np.concatenate(kept) if kept else np.zeros(0)
        results.append(DescentResult(
            member, np.asarray(member.matrix()), run, np.array(times),
            np.array([s[k] for s in sigmas]), len(run), float(steps_list[k]), loss,
            optimizer, None if stop_loss is None else bool(state[2][k])))
    return results


def _tops(stacked: Factorisation, k: int) -> np.ndarray:
    mats = np.asarray(jax.vmap(lambda m: m.matrix())(stacked))
    return np.linalg.svd(mats, compute_uv=False)[:, :k]
