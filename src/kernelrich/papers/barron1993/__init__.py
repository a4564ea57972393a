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

# The claim in the papers' words (abstracts), shown at the top of its report section.
CLAIM = ("Feedforward networks having one layer of sigmoidal nonlinearities achieve integrated "
         "squared error of order O(1/n), where n is the number of nodes, for functions with a "
         "bound C_f on the first moment of the magnitude distribution of the Fourier transform, "
         "while series expansions with n terms cannot do better than order (1/n)^(2/d). The "
         "estimated network's mean integrated squared error is bounded by "
         "O(C_f^2/n) + O((nd/N) log N).")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Greedy error e_n against the bound (Thm 1)",
     "paper": "e_n <= (2C)^2 / n for every n (ratio <= 1)",
     "experiment": "barron-approximation", "column": "max_k e_k / bound_k", "by": ["d", "target"]},
    {"quantity": "Coefficients of the n-unit network (Thm 1)",
     "paper": "sum_k |c_k| <= 2C (ratio <= 1)",
     "experiment": "barron-approximation", "column": "sum|c| / 2C", "by": ["d", "target"]},
    {"quantity": "Fixed-basis (Legendre) error at the same n",
     "paper": "no better than order (1/n)^(2/d): grows with d",
     "experiment": "barron-approximation", "column": "Legendre e_n", "by": ["d", "target"]},
    {"quantity": "Closed-form Barron constants (Section IX)",
     "paper": "Gaussian: C_f = sqrt(2) Gamma((d+1)/2) / Gamma(d/2); ridge g(a.x): |a| C_g; ...",
     "check": "Barron 1993 §IX C_f"},
    {"quantity": "Exponent of the risk against (d/N) log N (Barron 1994)",
     "paper": "1/2: risk O(C_f ((d/N) log N)^(1/2)) with n ~ C_f (N/(d log N))^(1/2)",
     "experiment": "barron-estimation", "column": "exponent", "by": "d"},
]
