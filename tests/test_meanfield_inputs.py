"""Bad inputs to kernelrich.meanfield: a ValueError naming the argument, before any work."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernelrich.meanfield as mf

KEY = jax.random.key(0)


@pytest.fixture(scope="module")
def net():
    return mf.TwoLayerNet(np.ones((4, 2)), np.zeros(4))


def good():
    return mf.Particles(np.ones(3), np.ones((3, 2)))


@pytest.mark.parametrize("m", [0, -1, 2.5, True])
def test_m_below_one(m):
    for init in (lambda: mf.init_sphere(KEY, m, 2), lambda: mf.init_gaussian(KEY, m, 2),
                 lambda: mf.init_torus(None, m)):
        with pytest.raises(ValueError, match="^m must"):
            init()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("field", ["w", "theta"])
def test_non_finite_initial_particles(net, bad, field):
    x = good()
    w, theta = np.array(x.w), np.array(x.theta)
    (w if field == "w" else theta)[1] = bad
    with pytest.raises(ValueError, match=f"init.{field} must be finite"):
        mf.particle_descent(net, mf.Particles(w, theta), step=0.1, num_steps=1)
    with pytest.raises(ValueError, match=f"init.{field} must be finite"):
        mf.particle_flow(net, mf.Particles(w, theta), times=[0.0, 1.0])


def test_particle_shapes(net):
    with pytest.raises(ValueError, match="init.theta must have one row per weight"):
        mf.particle_descent(net, mf.Particles(np.ones(3), np.ones((2, 2))), step=1, num_steps=1)
    with pytest.raises(ValueError, match="init must be Particles"):
        mf.particle_descent(net, np.ones(3), step=1, num_steps=1)


@pytest.mark.parametrize("activation", ["tanh", "ReLU", None, 3])
def test_unknown_activation(activation):
    with pytest.raises(ValueError, match="activation must be one of"):
        mf.TwoLayerNet(np.ones((4, 2)), np.zeros(4), activation)
    with pytest.raises(ValueError, match="activation must be one of"):
        mf.teacher_student(KEY, 2, 2, 5, activation)


@settings(max_examples=20, deadline=None)
@given(st.one_of(st.floats(max_value=-1e-300), st.just(float("nan")), st.just(float("inf"))))
def test_negative_lambda(lam):
    with pytest.raises(ValueError, match="lam must be"):
        mf.SpikeDeconvolution(np.zeros(5), 2, lam)


@settings(max_examples=20, deadline=None)
@given(st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf"))))
def test_step_not_positive(step):
    with pytest.raises(ValueError, match="step must be"):
        mf.particle_descent(mf.TwoLayerNet(np.ones((4, 2)), np.zeros(4)), good(), step=step,
                            num_steps=1)


def test_other_options(net):
    x = good()
    cases = [
        (dict(num_steps=0), "num_steps must be"),
        (dict(num_steps=10, record_every=3), "record_every must divide"),
        (dict(scaling="ntk"), "scaling must be one of"),
        (dict(weight_decay=-1.0), "weight_decay must be"),
        (dict(position_rate=0.0), "position_rate must be"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            mf.particle_descent(net, x, **{"step": 0.1, "num_steps": 10, **kwargs})
    with pytest.raises(ValueError, match="times must be"):
        mf.particle_flow(net, x, times=[0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="observed must have"):
        mf.SpikeDeconvolution(np.zeros(4), 2, 0.1)
    with pytest.raises(ValueError, match="cutoff must be"):
        mf.SpikeDeconvolution(np.zeros(1), 0, 0.1)
    with pytest.raises(ValueError, match="min_separation must be"):
        mf.spike_train(KEY, 5, 0.2)
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        mf.TwoLayerNet(np.ones((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="project=True needs a homogeneous model"):
        mf.to_measure(mf.TwoLayerNet(np.ones((4, 2)), np.zeros(4), "sigmoid"), x, project=True)
    with pytest.raises(ValueError, match="inputs must be one of"):
        mf.teacher_student(KEY, 2, 2, 5, inputs="cube")
    with pytest.raises(ValueError, match="key must be a JAX PRNG key"):
        mf.init_torus(None, 4, grid=False)
