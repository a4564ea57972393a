"""The infinite-width kernels against an independent adaptive 2-D quadrature (QUADPACK,
tests/_adaptive_gaussian.py), at input norms |x|^2 / n_0 from 1e-2 to 1e2, depths 1-4, on
the diagonal and off it, with correlations near +1 and -1: within 1e-10 for every activation."""

import numpy as np
import pytest

import _adaptive_gaussian as ref
from kernelrich.ntk import infinite_kernels
from kernelrich.ntk._activations import activation
from kernelrich.ntk._gaussian import dual
from kernelrich.ntk._quadrature import node_counts, quadrature_diagonal, quadrature_dual

BETA = 0.1
TOLERANCE = 1e-10


@pytest.mark.parametrize("name", ["erf", "relu", "gelu", "abs"])
def test_reference_reproduces_closed_forms(name):
    """The reference is right where the answer is known, at large variance and |rho| ~ 1."""
    for s11, s22, s12 in [(1.0, 1.0, 0.5), (80.0, 30.0, -48.98), (100.0, 100.0, 99.9999)]:
        expected = [float(v) for v in dual(activation(name), s11, s22, s12, quadrature=False,
                                           nodes=(8, 8))]
        got = ref.dual(name, s11, s22, s12)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14 * np.sqrt(s11 * s22))


def _check(name: str, norm: float) -> None:
    X = ref.inputs(norm)
    nngp_ref, ntk_ref = ref.kernels(X, 4, name, BETA)
    for depth in range(1, 5):
        nngp, ntk = infinite_kernels(X, depth=depth, activation=name, bias_std=BETA)
        for K, R in ((nngp, nngp_ref[depth - 1]), (ntk, ntk_ref[depth - 1])):
            err = ref.relative_error(K, R)
            assert err <= TOLERANCE, (name, norm, depth, err)


CASES = [pytest.param(name, norm, marks=() if (name, norm) == ("tanh", 1e2) else
                       pytest.mark.slow, id=f"{name}-{norm:g}")
         for name in ("tanh", "sigmoid", "gelu", "erf") for norm in (1e-2, 1.0, 1e2)]


@pytest.mark.parametrize("name,norm", CASES)
def test_kernels_match_adaptive_reference(name, norm):
    """NNGP and NTK at depths 1-4 on four points (diagonal, correlations 1 - 5e-7 and about
    -0.9998, and a point of a tenth of the norm); tanh at |x|^2 / n_0 = 100 is where
    Gauss-Hermite with 64 nodes was off by up to ~1e-1."""
    _check(name, norm)


@pytest.mark.parametrize("name", ["tanh", pytest.param("sigmoid", marks=pytest.mark.slow)])
def test_dual_accuracy_does_not_depend_on_the_variance(name):
    """One layer's expectations, s from 1e-2 to 1e6 (the node count grows like log s)."""
    act = activation(name)
    for s in (1e-2, 1e2, 1e6):
        nodes = node_counts(s)
        for rho in (-0.9999, 0.999999):
            s22 = s / 7
            s12 = rho * np.sqrt(s * s22)
            got = np.array([float(v) for v in quadrature_dual(act, s, s22, s12, nodes)])
            diag = np.sqrt([float(a) * float(b) for a, b in zip(
                quadrature_diagonal(act, s, nodes), quadrature_diagonal(act, s22, nodes),
                strict=True)])
            expected = np.array(ref.dual(name, s, s22, s12))
            assert np.all(np.abs(got - expected) <= 2e-11 * diag), (s, rho, got, expected)


def test_node_count_grows_like_log_variance():
    counts = [np.prod(node_counts(s)) for s in (1.0, 1e2, 1e4, 1e6)]
    assert counts == sorted(counts) and counts[-1] < 4 * counts[0]


def test_gelu_closed_form_matches_quadrature_at_large_variance():
    act = activation("gelu")
    s11, s22 = 400.0, 25.0
    nodes = node_counts(s11)
    for rho in (-1.0, -0.7, 0.0, 0.4, 1.0):
        s12 = rho * np.sqrt(s11 * s22)
        closed = [float(v) for v in dual(act, s11, s22, s12, quadrature=False, nodes=nodes)]
        quad = [float(v) for v in quadrature_dual(act, s11, s22, s12, nodes)]
        np.testing.assert_allclose(quad, closed, rtol=1e-11, atol=1e-12 * np.sqrt(s11 * s22))
