"""Gunasekar, Woodworth, Bhojanapalli, Neyshabur, Srebro (2017), Implicit regularization in
matrix factorization (seed §4): the distance of the U U^T flow's limit to the
min-nuclear-norm solution against the init scale, for sensing and completion, and the
commuting case (Theorem 1, Corollary 2) on the flow, against the min-trace (min-l1)
solution and Woodworth et al.'s diagonal network. The paper's sizes could not be read:
every size is our choice, listed under the paper's assumptions."""

from . import _commuting, _distance
from ._checks import ASSUMPTIONS as ASSUMPTIONS
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Gunasekar, Woodworth, Bhojanapalli, Neyshabur, Srebro (2017). Implicit "
         "regularization in matrix factorization. NeurIPS.")
EXPERIMENTS = [_distance.EXPERIMENT, _commuting.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We study implicit regularization when optimizing an underdetermined quadratic "
         "objective over a matrix X with gradient descent on a factorization of X. We conjecture "
         "and provide empirical and theoretical evidence that with small enough step sizes and "
         "initialization close enough to the origin, gradient descent on a full dimensional "
         "factorization converges to the minimum nuclear norm solution.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Figures 1-2: distance of the limit to the min-nuclear-norm solution",
     "paper": "conjectured to go to zero as the init scale alpha -> 0 (figures, no number)",
     "experiment": "gunasekar-distance", "column": "flow: distance to min-nuclear",
     "by": ["kind", "d", "alpha"]},
    {"quantity": "Figures 1-2: nuclear norm of the limit",
     "paper": "approaches the minimum nuclear norm as alpha -> 0 (figures)",
     "experiment": "gunasekar-distance", "column": "flow: ||X||_*",
     "by": ["kind", "d", "alpha"]},
    {"quantity": "Theorem 1 / Corollary 2 (commuting A_i): the alpha -> 0 limit of the flow",
     "paper": "is the min-nuclear-norm (diagonal: min-l1) solution (theorem)",
     "check": "Gunasekar Thm 1 / Cor 2"},
]
