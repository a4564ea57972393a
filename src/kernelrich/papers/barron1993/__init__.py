"""Barron (1993) and Barron (1994): approximation and estimation bounds for superpositions of a
sigmoidal function (seed §7 and §8).

Every figure measures the theorems on a finite sample: mu is the empirical measure of points
on the unit ball, so Theorem 1's bound (2C)^2 / n holds exactly for it and is checked step by
step; the estimation rate is fitted with a confidence interval.
"""

from ._approximation import EXPERIMENT as _APPROXIMATION
from ._checks import CHECKS as CHECKS
from ._constants import EXPERIMENT as _CONSTANTS
from ._estimation import EXPERIMENT as _ESTIMATION

KEY = "barron1993"
TITLE = ("Barron (1993). Universal approximation bounds for superpositions of a sigmoidal "
         "function. IEEE Trans. Inf. Theory 39(3); and Barron (1994). Approximation and "
         "estimation bounds for artificial neural networks. Machine Learning 14(1).")
EXPERIMENTS = [_CONSTANTS, _APPROXIMATION, _ESTIMATION]
