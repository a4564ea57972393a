"""kernelrich.lazy: the flows and descents of F_alpha and Fbar_alpha against independent routes."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kernelrich import diagonal, lazy


def _diag_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    return X, X @ np.array([1.0, -0.5, 0.0, 0.0, 0.3])


def test_flow_matches_diagonal_reduction():
    """alpha h(w_alpha(t)) for the diagonal net equals X beta(t / (2 n alpha)) of Woodworth's
    flow from w_+ = w_- = sqrt(alpha) * scale (u = sqrt(alpha) w; the loss normalisations
    differ by 2n), computed by kernelrich.diagonal's exact N-dimensional reduction."""
    X, y = _diag_problem()
    n, scale, alphas = len(y), 0.7, np.array([0.5, 4.0, 10.0, 100.0])
    times = np.linspace(0.0, 3.0, 7)
    path = lazy.lazy_flow(lazy.diagonal_net, lazy.diagonal_init(5, scale=scale), X, y, alphas,
                          times, rtol=1e-10, atol=1e-12)
    assert path.ok.all()
    ratio = path.sup("dist_linear")[2] / path.sup("dist_linear")[3]
    assert 50 < ratio < 200  # Theorem 2.2: O(1 / alpha^2)
    for i, a in enumerate(alphas[:2]):
        ref = diagonal.gradient_flow(X, y, np.sqrt(a) * scale, times=times / (2 * n * a))
        expect = 0.5 * np.mean((X @ ref.beta.T - y[:, None]) ** 2, axis=0)
        np.testing.assert_allclose(path.loss[i], expect, rtol=1e-6, atol=1e-12)
        w = jax.tree_util.tree_map(lambda v, i=i: v[i], path.params)
        np.testing.assert_allclose(a * (w["plus"] ** 2 - w["minus"] ** 2), ref.beta[-1],
                                   rtol=1e-6, atol=1e-9)


@pytest.mark.slow
def test_descent_converges_to_flow_at_first_order():
    X, y = _diag_problem()
    p0, T = lazy.diagonal_init(5, scale=0.7), 2.0
    flow = lazy.lazy_flow(lazy.diagonal_net, p0, X, y, 3.0, [0.0, T], rtol=1e-11, atol=1e-13)
    gaps = []
    for k in (200, 400):
        gd = lazy.lazy_descent(lazy.diagonal_net, p0, X, y, 3.0, step=T / k, steps=k,
                               record_every=k)
        gaps.append(abs(gd.loss[0, -1] - flow.loss[0, -1]))
    assert gaps[0] / gaps[1] == pytest.approx(2.0, rel=0.1)  # O(step)


def test_batched_sweep_equals_runs_one_by_one():
    X, y = _diag_problem()
    inits = [lazy.diagonal_init(5, scale=s) for s in (0.5, 1.0)]
    stacked = jax.tree_util.tree_map(lambda *v: jnp.stack(v), *inits)
    alphas = np.array([1.0, 10.0])
    sweep = lazy.lazy_descent(lazy.diagonal_net, stacked, X, y, alphas, step=0.01, steps=30,
                              record_every=10, batched=True, chunk=2)
    assert sweep.dist_linear.shape == (2, 2, 4) and sweep.diverged_at.shape == (2, 2)
    for b, p0 in enumerate(inits):
        one = lazy.lazy_descent(lazy.diagonal_net, p0, X, y, alphas, step=0.01, steps=30,
                                record_every=10)
        for name in ("dist_init", "dist_linear", "dist_output", "loss", "loss_linear"):
            np.testing.assert_allclose(getattr(sweep, name)[b], getattr(one, name), rtol=1e-12,
                                       atol=1e-15)
    assert sweep.steps.tolist() == [0, 10, 20, 30]


def test_descent_without_the_linearised_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 4))
    y = np.sin(X[:, 0])
    w0 = lazy.two_layer_gaussian_init(jax.random.key(0), 6, 4, symmetrised=False)
    both = lazy.lazy_descent(lazy.two_layer, w0, X, y, 0.5, step=0.1, steps=20, record_every=5)
    alone = lazy.lazy_descent(lazy.two_layer, w0, X, y, 0.5, step=0.1, steps=20, record_every=5,
                              linear=False)
    np.testing.assert_allclose(alone.loss, both.loss, rtol=1e-13)
    np.testing.assert_allclose(alone.dist_init, both.dist_init, rtol=1e-13)
    assert alone.loss_linear is None and alone.params_linear is None
    assert alone.dist_linear is None and alone.diverged_at_linear is None


def test_divergence_is_a_result():
    X, y = _diag_problem()
    gd = lazy.lazy_descent(lazy.diagonal_net, lazy.diagonal_init(5), X, 10 * y, 1.0, step=5.0,
                           steps=40, record_every=10)
    assert 1 <= gd.diverged_at[0] < 40
    assert not np.isfinite(gd.loss[0, -1])
    assert np.isfinite(gd.loss[0, gd.steps < gd.diverged_at[0]]).all()


def test_flow_warns_when_a_theorem_needs_centring():
    X, y = _diag_problem()
    uncentred = {"plus": jnp.ones(5), "minus": jnp.full(5, 0.5)}
    # the warning comes before the solve; the bad alpha then stops it (no compilation here)
    with pytest.warns(lazy.UncentredWarning, match="Theorem 2.2 assumes h"):
        with pytest.raises(ValueError, match="alpha"):
            lazy.lazy_flow(lazy.diagonal_net, uncentred, X, y, -1.0, [0.0, 1.0],
                           theorem="Theorem 2.2")


def test_flow_steady_state_stop():
    """With `steady_state`, each run stops once its velocity falls below the threshold: well
    before the horizon 1e5 (which the plain solve does not reach within max_steps at these
    tolerances), at a near-interpolating point (n = 3 < d = 5), with the later saves holding
    that state; the saves before the stop equal a plain run to t = 1."""
    X, y = _diag_problem()
    p0, alphas = lazy.diagonal_init(5, scale=0.7), np.array([1.0, 10.0])
    times = np.array([0.0, 1.0, 1e3, 1e5])
    plain = lazy.lazy_flow(lazy.diagonal_net, p0, X, y, alphas, times[:2], rtol=1e-10,
                           atol=1e-12)
    path = lazy.lazy_flow(lazy.diagonal_net, p0, X, y, alphas, times, rtol=1e-10, atol=1e-12,
                          steady_state=1e-6)
    assert path.ok.all() and plain.ok.all()
    assert (path.t_stop > times[1]).all() and (path.t_stop < times[2]).all()
    np.testing.assert_array_equal(plain.t_stop, times[1])
    # different step sequences (horizons 1 and 1e5): agreement to the solves' global error
    np.testing.assert_allclose(path.loss[:, :2], plain.loss, rtol=1e-7, atol=1e-15)
    assert (path.loss[:, -1] < 1e-8).all()  # the velocity bound forces a small residual
    np.testing.assert_array_equal(path.loss[:, 2], path.loss[:, 3])  # held after the stop
    with pytest.raises(ValueError, match="steady_state"):
        lazy.lazy_flow(lazy.diagonal_net, p0, X, y, 1.0, times, steady_state=-1.0)
