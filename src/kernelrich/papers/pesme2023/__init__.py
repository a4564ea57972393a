"""Pesme & Flammarion (2023), Saddle-to-saddle dynamics in diagonal linear networks (beyond
the seed's papers): the alpha -> 0 limit of the whole gradient-flow trajectory, computed by
`kernelrich.diagonal.saddle_to_saddle` and checked against `gradient_flow`."""

from ._checks import CHECKS as CHECKS
from ._setup import KEY as KEY
from ._staircase import EXPERIMENT as _STAIRCASE

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Pesme, Flammarion (2023). Saddle-to-saddle dynamics in diagonal linear networks "
         "(NeurIPS 2023, arXiv 2304.00488)")

EXPERIMENTS = [_STAIRCASE]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("\"In this paper we fully describe the trajectory of gradient flow over diagonal linear "
         "networks in the limit of vanishing initialisation. We show that the limiting flow "
         "successively jumps from a saddle of the training loss to another until reaching the "
         "minimum l1-norm solution. [...] We explicitly characterise the visited saddles as well "
         "as the jumping times through a recursive algorithm reminiscent of the LARS algorithm "
         "used for computing the Lasso path.\" (abstract)")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Between jumps the flow is at the saddles of Algorithm 1",
     "paper": "the limiting process is piecewise constant, its values the visited saddles "
              "(Theorem 1; abstract)",
     "check": "Pesme & Flammarion Thm 1: the flow sits at the saddles between jumps"},
    {"quantity": "Jump times",
     "paper": "the jump times are predicted by the recursion (abstract; Figure 1 caption: "
              "\"entirely predicted by our theory\"); no rate is stated",
     "check": "Pesme & Flammarion Thm 1: jump times at the rate 1 / log(1/alpha)"},
    {"quantity": "The last saddle",
     "paper": "the limiting flow ends at the minimum l1-norm solution (abstract)",
     "check": "Pesme & Flammarion: the last saddle is the minimum-l1 interpolator"},
    {"quantity": "Observed order of the jump-time error in log(1/alpha)",
     "paper": "not stated (the theorem is a limit); 1 derived here",
     "experiment": "pesme2023-staircase", "column": "order (jump times)",
     "by": ["instance", "D", "alpha"]},
]
