"""Gradient descent on the square loss for any equinox model (the networks of Jacot's figures).

Loss L = (1/2) c sum_i (f(x_i) - y_i)^2, c = 1/N (`"mean"`) or 1 (`"sum"`), as in
`kernelrich.ntk.KernelFlow`; after k steps of size lr, the matching flow time is t = lr k.
`train_gd` descends on a fixed training set; `train_online` draws a fresh batch every step
(gradient descent on the population cost by sampling, as in Jacot et al.'s Figure 1 script).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from . import _inputs
from ._dynamics import NORMALIZATIONS


@dataclass(frozen=True)
class TrainResult:
    """What `train_gd` returns.

    **Arguments:**

    - `model`: the model after the last step.
    - `steps`: the recorded step counts, shape (C,).
    - `predictions`: the model on `X_eval` at those steps, shape (C, M) (scalar output) or
      (C, M, O).
    - `loss`: the training loss at those steps, shape (C,).
    """

    model: eqx.Module
    steps: np.ndarray
    predictions: np.ndarray
    loss: np.ndarray


def _loss(model, X, y, c):
    f = model(X).reshape(y.shape)
    return 0.5 * c * jnp.sum((f - y) ** 2)


def _update(p, static, X, y, lr, c, after_step):
    grad = jax.grad(lambda q: _loss(eqx.combine(q, static), X, y, c))(p)
    p = jax.tree_util.tree_map(lambda a, g: a - lr * g, p, grad)
    if after_step is not None:
        p = eqx.partition(after_step(eqx.combine(p, static)), eqx.is_inexact_array)[0]
    return p


@eqx.filter_jit
def _descend(model, X, y, lr, c, steps, after_step):
    params, static = eqx.partition(model, eqx.is_inexact_array)

    def step(_, p):
        return _update(p, static, X, y, lr, c, after_step)

    return eqx.combine(jax.lax.fori_loop(0, steps, step, params), static)


@eqx.filter_jit
def _descend_online(model, sample, key, start, lr, c, steps, after_step):
    params, static = eqx.partition(model, eqx.is_inexact_array)

    def step(k, p):
        X, y = sample(jax.random.fold_in(key, start + k))
        return _update(p, static, X, y, lr, c, after_step)

    return eqx.combine(jax.lax.fori_loop(0, steps, step, params), static)


@eqx.filter_jit
def _evaluate(model, X, y, X_eval, c):
    return model(X_eval), _loss(model, X, y, c)


def train_gd(model, X, y, *, lr: float, steps: int, normalization: str = "mean",
             record=None, X_eval=None, after_step: Callable | None = None) -> TrainResult:
    """Plain gradient descent with step `lr` for `steps` steps (not the flow: t = lr * steps).

    **Arguments:**

    - `model`: an equinox model mapping (N, d) to (N, O); its inexact arrays are trained.
    - `X`, `y`: training data (N, d) and targets (N,) or (N, O).
    - `lr`, `steps`: step size and number of steps.
    - `record`: step counts at which to record predictions and loss (default: 0 and `steps`).
    - `X_eval`: where to record predictions (default `X`).
    - `after_step`: optional `model -> model` applied after every step (jit-compatible), e.g.
      a projection of the weights.

    **Example:**

    A network of depth 1 is linear in its parameters, so its NTK never changes and gradient
    descent on it is exactly kernel gradient descent (`KernelFlow` with the same step):

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.ntk import MLP, KernelFlow, apply_mlp, empirical_ntk, train_gd
    >>> X, y = np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([1.0, -1.0])
    >>> model = MLP([2, 1], key=jax.random.key(0), beta=0.1)
    >>> result = train_gd(model, X, y, lr=0.5, steps=20, record=[0, 10, 20])
    >>> result.steps, result.predictions.shape
    (array([ 0, 10, 20]), (3, 2))
    >>> bool(np.all(np.diff(result.loss) < 0))
    True
    >>> f0 = np.asarray(apply_mlp(model, X))[:, 0]
    >>> flow = KernelFlow(empirical_ntk(apply_mlp, model, X), y, f0=f0)
    >>> kernel_gd = flow.predict_train(result.steps, lr=0.5)
    >>> bool(np.allclose(result.predictions, kernel_gd, rtol=0.0, atol=1e-12))
    True

    ```
    """
    _validate.finite_leaves("model", model)
    X = _validate.bounded("X", _validate.finite_array("X", X, ndim=2))
    y = _validate.bounded("y", _validate.finite_array("y", y))
    if y.ndim not in (1, 2):
        raise ValueError(f"y must have shape (N,) or (N, O), got {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} rows (as X), got shape {y.shape}")
    lr = _validate.positive("lr", lr)
    steps = _validate.integer("steps", steps, minimum=0)
    c = 1.0 / X.shape[0] if _inputs.choice(
        "normalization", normalization, NORMALIZATIONS) == "mean" else 1.0
    record = np.unique(np.asarray([0, steps] if record is None else record, dtype=int))
    if record.min() < 0 or record.max() > steps:
        raise ValueError(f"record must lie in [0, steps={steps}], got {record}")
    X_eval = X if X_eval is None else _validate.bounded(
        "X_eval", _validate.finite_array("X_eval", X_eval, ndim=2))
    X, y, X_eval = jnp.asarray(X), jnp.asarray(y), jnp.asarray(X_eval)
    try:
        out = eqx.filter_eval_shape(lambda m, x: m(x), model, X)
    except Exception as err:  # a model whose arrays do not fit together or X
        raise ValueError(f"model must map X of shape {X.shape} to (N,) or (N, O); calling it "
                         f"raised {type(err).__name__}: {err}") from err
    if out.shape[:1] != X.shape[:1] or out.size != y.size:
        raise ValueError(f"model must map X of shape {X.shape} to the shape of y {y.shape}, "
                         f"got {out.shape}")
    done, preds, losses = 0, [], []
    for target in record:
        model = _descend(model, X, y, jnp.asarray(lr), jnp.asarray(c), jnp.asarray(target - done),
                         after_step)
        done = int(target)
        f, loss = _evaluate(model, X, y, X_eval, jnp.asarray(c))
        preds.append(np.asarray(f))
        losses.append(float(loss))
    preds = np.stack(preds)
    _validate.finite_result(np.append(preds.ravel(), losses), names="model, X, y, X_eval and lr",
                            what="train_gd's predictions or loss (divergence or overflow)")
    if preds.shape[-1] == 1 and y.ndim == 1:
        preds = preds[..., 0]
    return TrainResult(model, record, preds, np.asarray(losses))


def train_online(model, sample: Callable, *, key, lr: float, steps: int,
                 normalization: str = "mean", record=None,
                 after_step: Callable | None = None) -> list:
    """Gradient descent with a fresh batch `sample(fold_in(key, k))` at step k.

    **Arguments:**

    - `model`: an equinox model mapping (B, d) to (B, O) or (B, 1).
    - `sample`: `key -> (X, y)`, a jit-compatible draw of one batch (fixed shapes).
    - `key`: a `jax.random` key; step k uses `fold_in(key, k)`, so runs are reproducible.
    - `lr`, `steps`, `normalization`, `after_step`: as `train_gd`.
    - `record`: step counts at which to return the model (default: 0 and `steps`).

    **Returns:** the models at the recorded steps, in order.

    **Example:**

    A `sample` that returns the same batch every step is `train_gd` on that batch:

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.ntk import MLP, train_gd, train_online
    >>> X, y = jnp.array([[1.0, 0.0], [1.0, 1.0]]), jnp.array([1.0, -1.0])
    >>> model = MLP([2, 1], key=jax.random.key(0), beta=0.1)
    >>> models = train_online(model, lambda key: (X, y), key=jax.random.key(1), lr=0.5,
    ...                       steps=20, record=[10, 20])
    >>> len(models)
    2
    >>> full_batch = train_gd(model, X, y, lr=0.5, steps=20).model
    >>> bool(jnp.allclose(models[-1](X), full_batch(X), rtol=0.0, atol=1e-12))
    True

    ```
    """
    _validate.finite_leaves("model", model)
    lr = _validate.positive("lr", lr)
    steps = _validate.integer("steps", steps, minimum=0)
    _inputs.choice("normalization", normalization, NORMALIZATIONS)
    record = np.unique(np.asarray([0, steps] if record is None else record, dtype=int))
    if record.min() < 0 or record.max() > steps:
        raise ValueError(f"record must lie in [0, steps={steps}], got {record}")
    X, _ = sample(key)
    c = 1.0 / X.shape[0] if normalization == "mean" else 1.0
    done, models = 0, []
    for target in record:
        model = _descend_online(model, sample, key, jnp.asarray(done), jnp.asarray(lr),
                                jnp.asarray(c), jnp.asarray(int(target) - done), after_step)
        done = int(target)
        models.append(model)
    _validate.finite_leaves("the trained model (divergence or overflow)", model)
    return models
