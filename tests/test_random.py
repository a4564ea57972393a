"""kernelrich._random.normal: the numbers of jax.random.normal, bit for bit, without one
compiled program per shape."""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import kernelrich  # noqa: F401  (float64)
from kernelrich import _random

shapes = st.lists(st.integers(0, 70), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(0, 2**31 - 1))
def test_same_numbers_as_jax(shape, seed):
    key = jax.random.key(seed)
    ours = _random.normal(key, shape)
    theirs = jax.random.normal(key, shape, jnp.float64)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


def test_large_and_traced_draws_are_jax_itself():
    key = jax.random.PRNGKey(7)
    big = (1100, 1000)  # above 2^20 numbers: drawn as asked
    assert np.array_equal(_random.normal(key, big), jax.random.normal(key, big, jnp.float64))
    traced = jax.jit(lambda k: _random.normal(k, (3, 5)))(key)
    assert np.array_equal(traced, jax.random.normal(key, (3, 5), jnp.float64))


_COMPILES: list[str] = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, duration, **kw: _COMPILES.append(event)
    if event == "/jax/core/compile/backend_compile_duration" else None)


def test_small_draws_share_one_program():
    key = jax.random.key(0)
    keys = {n: jax.random.fold_in(key, n) for n in range(5, 60, 7)}
    _random.normal(key, (3, 4))  # compiles the 2^12 draw once
    _COMPILES.clear()
    for n, k in keys.items():
        _random.normal(k, (n, 3))
    assert _COMPILES == []
    jax.random.normal(key, (61, 3), jnp.float64)  # a new shape: jax.random.normal compiles
    assert len(_COMPILES) >= 1
