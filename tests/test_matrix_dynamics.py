"""Factorised models and gradient descent: gradients against the closed forms, GD steps
against a hand-written loop, stopping and the recorded singular values."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kernelrich import matrix as km


def _problem(n=5, m=9, seed=0, symmetric=True):
    truth = km.low_rank_truth(seed, n, 2, psd=symmetric)
    return km.gaussian_sensing(seed + 1, truth, m, symmetric=symmetric)


def test_symmetric_gradient_closed_form():
    """grad_U sum_i (<A_i, U U^T> - y_i)^2 = 2 A*(r) U + 2 A*(r)^T U (Gunasekar et al.:
    4 A*(r) U for symmetric A_i)."""
    p = _problem()
    model = km.symmetric_factor(0, 5, 3, 0.7)
    g = jax.grad(km.training_loss)(model, p, 1.0).factors[0]
    U = model.factors[0]
    r = p.measure(U @ U.T) - p.y
    np.testing.assert_allclose(g, 4 * p.adjoint(r) @ U, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_deep_gradient_closed_form(depth):
    """grad_{W_j} = (2/m) (W_N..W_{j+1})^T A*(r) (W_{j-1}..W_1)^T (Arora et al., eq. (4))."""
    p = _problem(symmetric=False)
    model = km.deep_factors(1, 5, depth, 0.5)
    grads = jax.grad(km.training_loss)(model, p, 1 / 9).factors
    Ws = model.factors
    r = p.measure(model.matrix()) - p.y
    for j in range(depth):
        left, right = jnp.eye(5), jnp.eye(5)
        for W in Ws[j + 1:]:
            left = W @ left
        for W in Ws[:j]:
            right = W @ right
        np.testing.assert_allclose(grads[j], 2 / 9 * left.T @ p.adjoint(r) @ right.T,
                                   rtol=1e-11, atol=1e-13)


def test_inits():
    balanced = km.deep_factors(0, 4, 3, 1e-3, "balanced")
    np.testing.assert_allclose(balanced.matrix(), 1e-3 * np.eye(4), rtol=1e-14)
    for W1, W2 in zip(balanced.factors, balanced.factors[1:], strict=False):
        np.testing.assert_allclose(W2.T @ W2, W1 @ W1.T, rtol=1e-14)  # balancedness
    sym = km.symmetric_factor(0, 4, 2, 0.1, "balanced")
    np.testing.assert_allclose(sym.matrix(), 0.01 * np.diag([1.0, 1, 0, 0]), atol=1e-17)
    # Gaussian: per-layer std s^(1/N) / sqrt(n); check the empirical std on a big layer
    gauss = km.deep_factors(0, 200, 2, 1e-2, "gaussian")
    std = float(jnp.std(gauss.factors[0]))
    assert abs(std - 0.1 / np.sqrt(200)) <= 0.02 * 0.1 / np.sqrt(200)
    with pytest.raises(ValueError, match="depth"):
        km.deep_factors(0, 4, 0, 1.0)
    with pytest.raises(ValueError, match="scale"):
        km.deep_factors(0, 4, 2, 0.0)
    with pytest.raises(ValueError, match="d must be <="):
        km.symmetric_factor(0, 4, 5, 1.0)
    with pytest.raises(ValueError, match="init"):
        km.symmetric_factor(0, 4, 2, 1.0, "orthogonal")


def test_descent_matches_a_handwritten_loop():
    p = _problem(symmetric=False)
    model = km.deep_factors(2, 5, 3, 0.8)
    result = km.gradient_descent(p, model, step=0.05, steps=37, chunk=10, top=3)
    grad = jax.jit(jax.value_and_grad(km.training_loss))
    m, losses = model, []
    for _ in range(37):
        g = grad(m, p, 1 / 9)[1]
        m = jax.tree_util.tree_map(lambda a, b: a - 0.05 * b, m, g)
        losses.append(float(grad(m, p, 1 / 9)[0]))
    np.testing.assert_allclose(result.matrix, m.matrix(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-10)
    assert result.steps_run == 37 and list(result.times) == [0, 10, 20, 30, 37]
    np.testing.assert_allclose(result.singular_values[-1],
                               np.linalg.svd(result.matrix, compute_uv=False)[:3], rtol=1e-12)


def test_descent_stops_at_threshold():
    p = _problem(n=4, m=5, symmetric=False)
    result = km.gradient_descent(p, km.deep_factors(0, 4, 2, 1e-2), step=0.5,
                                 steps=100000, stop_loss=1e-6, chunk=500)
    assert result.converged and result.losses[-1] < 1e-6 <= result.losses[-2]
    assert result.steps_run == len(result.losses) < 100000


def test_descent_bad_inputs():
    p = _problem()
    with pytest.raises(ValueError, match="model must have the problem's shape"):
        km.gradient_descent(p, km.symmetric_factor(0, 4, 4, 1.0), step=0.1, steps=1)
    with pytest.raises(ValueError, match="step"):
        km.gradient_descent(p, km.symmetric_factor(0, 5, 5, 1.0), step=-0.1, steps=1)
    with pytest.raises(ValueError, match="loss"):
        km.gradient_descent(p, km.symmetric_factor(0, 5, 5, 1.0), step=0.1, steps=1,
                            loss="max")
    with pytest.raises(FloatingPointError, match="diverged"):
        km.gradient_descent(p, km.symmetric_factor(0, 5, 5, 1.0), step=1e6, steps=50)


def test_group_rmsprop_matches_a_handwritten_loop():
    """Arora et al.'s GroupRMSprop: v_k = 0.99 v + 0.01 sum ||g||^2, step
    lr / (sqrt(v_k / (1 - 0.99^k)) + 1e-4) shared by every factor."""
    p = _problem(symmetric=False)
    model = km.deep_factors(4, 5, 2, 1e-2)
    result = km.gradient_descent(p, model, step=1e-3, steps=23, chunk=10,
                                 optimizer="group_rmsprop")
    grad = jax.jit(jax.grad(km.training_loss))
    Ws, v = [np.asarray(W) for W in model.factors], 0.0
    for k in range(1, 24):
        g = [np.asarray(G) for G in grad(km.Factorisation(tuple(Ws), False), p, 1 / 9).factors]
        v = 0.99 * v + 0.01 * sum(np.sum(G * G) for G in g)
        rate = 1e-3 / (np.sqrt(v / (1 - 0.99**k)) + 1e-4)
        Ws = [W - rate * G for W, G in zip(Ws, g, strict=True)]
    np.testing.assert_allclose(result.matrix, Ws[1] @ Ws[0], rtol=1e-11, atol=1e-15)
    assert result.optimizer == "group_rmsprop"
    with pytest.raises(ValueError, match="optimizer"):
        km.gradient_descent(p, model, step=1e-3, steps=1, optimizer="adam")


def test_batch_equals_members_run_alone():
    """vmapped GD over init scales and steps, with per-member stopping, gives each
    member's own `gradient_descent` run."""
    p = _problem(n=4, m=6, symmetric=False)
    models = [km.deep_factors(s, 4, 2, scale) for s, scale in ((0, 1e-2), (1, 0.3), (2, 0.1))]
    steps = [0.5, 0.3, 0.4]
    batch = km.gradient_descent_batch(p, models, step=steps, steps=3000, stop_loss=1e-6,
                                      chunk=500, top=2)
    for model, step, got in zip(models, steps, batch, strict=True):
        alone = km.gradient_descent(p, model, step=step, steps=3000, stop_loss=1e-6,
                                    chunk=500, top=2)
        assert got.steps_run == alone.steps_run and got.converged == alone.converged
        np.testing.assert_allclose(got.losses, alone.losses, rtol=1e-10)
        np.testing.assert_allclose(got.matrix, alone.matrix, rtol=1e-10, atol=1e-14)
    assert len({r.steps_run for r in batch}) > 1  # members stopped at different steps
    with pytest.raises(ValueError, match="architecture"):
        km.gradient_descent_batch(p, [models[0], km.deep_factors(0, 4, 3, 0.1)], step=0.1,
                                  steps=1)
