"""flow_limit's JAX route (backend="jax": the N x N and N x d algebra on the default
device) against the NumPy/BLAS route: the same limits to the stated tolerance."""

import numpy as np
import pytest

from kernelrich.diagonal import flow_limit


@pytest.mark.parametrize("depth,log_alphas", [
    (2, [3.0, 0.0, -2.0, -10.0, -30.0]),
    (3, [1.0, -1.0, -4.0, -30.0]),
    (4, [0.0, -3.0, -20.0]),
])
@pytest.mark.parametrize("kind", ["gaussian", "nonnegative"])
def test_jax_route_matches_numpy_route(depth, log_alphas, kind):
    rng = np.random.default_rng(depth)
    N, d = 12, 80
    X = rng.standard_normal((N, d)) if kind == "gaussian" else rng.uniform(0, 1, (N, d))
    y = X @ np.r_[1.0, -0.5, 0.25, np.zeros(d - 3)] + 0.05 * rng.standard_normal(N)
    w0 = rng.uniform(0.5, 2.0, d)
    alphas = 10.0 ** np.array(log_alphas)
    ours = flow_limit(X, y, alphas, depth=depth, w0=w0, backend="jax", full_output=True)
    reference = flow_limit(X, y, alphas, depth=depth, w0=w0, backend="numpy")
    assert np.all(ours.residual <= 1e-12)
    for row, ref in zip(ours.beta, reference, strict=True):
        assert np.linalg.norm(row - ref) <= 1e-9 * np.linalg.norm(ref)
        assert np.linalg.norm(X @ row - y) <= 1e-12 * np.linalg.norm(y)
