"""Theorem checks for Woodworth et al. (2020). Each compares the exact flow limit
(`diagonal.flow_limit`) with an independent route: the paper's closed-form gradient of Q (KKT),
the end of the 2d-dimensional parameter ODE, small-step gradient descent, the LP and
least-squares references, Theorem 2's guarantee; each has counterexamples on which it fails."""

from __future__ import annotations

from . import _check_dynamics, _check_limits, _check_matrix, _check_nn

CHECKS = (_check_limits.checks()[:3] + _check_dynamics.checks() + _check_limits.checks()[3:]
          + _check_matrix.checks() + _check_nn.checks())
