"""The shared argument checks: a complex value is refused by name, never cast to real with
NumPy's ComplexWarning (which drops the imaginary part); data beyond float64's safe range is
refused before any product of it can overflow."""

import warnings

import numpy as np
import pytest

from kernelrich import _validate


@pytest.mark.parametrize("value", [np.array([1.0, 2.0 + 1j]), [1j], np.complex128(1.0)])
def test_a_complex_array_is_refused_by_name(value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="X must be real"):
            _validate.finite_array("X", value)


@pytest.mark.parametrize("check", [_validate.positive, _validate.nonnegative])
def test_a_complex_number_is_refused_by_name(check):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="alpha must be"):
            check("alpha", np.complex128(1.0 + 0.5j))


def test_a_real_array_passes_unchanged():
    arr = _validate.finite_array("X", [[1, 2], [3, 4]])
    assert arr.dtype == np.float64 and arr.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(("X", "y", "name"), [
    (np.ones((2, 3)) * 1e200, np.ones(2), "X"),
    (np.ones((2, 3)), np.ones(2) * 1e200, "y"),
])
def test_design_refuses_data_whose_products_overflow(X, y, name):
    with pytest.raises(ValueError, match=f"{name} has entries up to"):
        _validate.design(X, y)


def test_feasible_refuses_a_system_out_of_range_without_warning():
    X, y = np.ones((2, 3)) * 1e-300, np.array([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="X beta = y"):
            _validate.feasible(X, y)
