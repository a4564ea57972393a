"""Theorem checks for Chizat & Bach (2018). Each measures evidence on one instance (the flow's
particles from an adaptive ODE solve, gradient-descent iterates, a convex program's solution
and status) and judges it against a closed form (inf J = 0 for a realisable teacher, a
conservation law) or an independent route (the ODE solver, the convex program), with the
counterexamples on which the same judge must fail: `_check_minimum` (Theorems 3.3 and 3.5)
and `_check_flow` (gradient descent against the flow, the balance law)."""

from __future__ import annotations

from kernelrich.experiments import Param

from . import _check_flow, _check_minimum

ASSUMPTIONS = [
    Param.choice("global minimum: tolerance on (J_m(t_end) - inf J) / J(0) at m = 80",
                 _check_minimum.GLOBAL_TOL, "Theorem 3.3 is a limit (m, t -> inf) without a "
                 "rate: the tolerance and t_end stand in for it"),
    Param.choice("deconvolution: tolerance on |J_m(t_end) - J_grid| / J_grid",
                 _check_minimum.DECONV_TOL, "Theorem 3.5 is a limit without a rate; the grid "
                 "bounds min J from above"),
    Param.choice("balance: tolerance on the drift of w_i^2 - |theta_i|^2",
                 _check_flow.BALANCE_TOL, "the ODE solve's rtol 1e-11 allows about 1e-11 per "
                 "unit time"),
    Param.choice("GD -> flow: tolerance on |observed order - 1|", _check_flow.ORDER_TOL,
                 "explicit Euler is first order; three steps measure it"),
]

CHECKS = _check_minimum.CHECKS + _check_flow.CHECKS
