"""Barron (1993) and Barron (1994): approximation and estimation bounds for superpositions of a
sigmoidal function (seed §7 and §8).

The papers are theory; every experiment measures one of their statements on a finite sample:
mu is the empirical measure of points on the unit ball (or cube), where every error is exact.
Theorem 1 is an existence statement: the greedy algorithm of its proof is checked through its
own per-step guarantee; the lower bound for fixed bases is a worst case over the class and is
measured on the hardest targets we can construct; Barron 1994's risk bound is an upper bound,
checked on its level and on its exponent against (d/N) log N.
"""

from ._approximation import EXPERIMENT as _APPROXIMATION
from ._assumptions import ASSUMPTIONS as ASSUMPTIONS
from ._checks import CHECKS as CHECKS
from ._constants import EXPERIMENT as _CONSTANTS
from ._estimation import EXPERIMENT as _ESTIMATION
from ._fixed_basis import EXPERIMENT as _FIXED_BASIS

KEY = "barron1993"
TITLE = ("Barron (1993). Universal approximation bounds for superpositions of a sigmoidal "
         "function. IEEE Trans. Inf. Theory 39(3); and Barron (1994). Approximation and "
         "estimation bounds for artificial neural networks. Machine Learning 14(1).")
EXPERIMENTS = [_CONSTANTS, _APPROXIMATION, _FIXED_BASIS, _ESTIMATION]

# The claim in the papers' words (abstracts), shown at the top of its report section.
CLAIM = ("Feedforward networks having one layer of sigmoidal nonlinearities achieve integrated "
         "squared error of order O(1/n), where n is the number of nodes, for functions with a "
         "bound C_f on the first moment of the magnitude distribution of the Fourier transform, "
         "while series expansions with n terms cannot do better than order (1/n)^(2/d) "
         "uniformly over that class. The estimated network's mean integrated squared error is "
         "bounded by O(C_f^2/n) + O((nd/N) log N).")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "n-unit error against (2C)^2/n (Thm 1)",
     "paper": "the bound holds: some f_n has e_n <= (2C)^2/n (an existence statement; it says "
              "nothing for n <= (2C)^2/e_0)",
     "experiment": "barron-approximation", "column": "max_k e_k / ((2C)^2/k)",
     "by": ["d", "target"],
     "note": "the greedy's path; the table's (2C)^2 / e_0 says from which n the bound bites"},
    {"quantity": "Greedy step against the proof's average (§VIII)",
     "paper": "the bound holds: e_k <= B_k when each one-unit step is solved well enough "
              "(the greedy's own, algorithmic guarantee)",
     "check": "Barron 1993 §VIII greedy step"},
    {"quantity": "Fixed basis on the hardest targets of the class (§X)",
     "paper": "the bound holds: some f with C_f <= C is at squared distance of order "
              "C^2 (1/n)^(2/d) from any n-term fixed basis (a worst case over the class)",
     "check": "Barron 1993 §X fixed-basis lower bound",
     "note": "measured: width bound / Legendre's worst error over the family (<= 1)"},
    {"quantity": "Closed-form Barron constants (§IX)",
     "paper": "Gaussian: C_f = sqrt(2) Gamma((d+1)/2) / Gamma(d/2); ridge g(a.x): |a| C_g; ...",
     "check": "Barron 1993 §IX C_f"},
    {"quantity": "Risk against 2 C_f ((d/N) log N)^(1/2) (Barron 1994)",
     "paper": "the bound holds: risk <= O(C_f ((d/N) log N)^(1/2)) (constants set to 1 here)",
     "check": "Barron 1994 risk bound"},
    {"quantity": "Exponent of the risk against (d/N) log N (Barron 1994)",
     "paper": "the bound holds: exponent >= 1/2 (an upper-bound rate)",
     "experiment": "barron-estimation", "column": "exponent", "by": "d"},
]
