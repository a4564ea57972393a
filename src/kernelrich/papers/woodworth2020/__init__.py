"""Woodworth et al. (2020), Kernel and rich regimes in overparametrized models (seed §1).

Every figure is computed from the exact gradient-flow limit (`kernelrich.diagonal`), except
the step-size experiment, which measures how far gradient descent lands from it.
"""

from ._checks import CHECKS as _CHECKS
from ._evidence import ASSUMPTIONS as _ASSUMPTIONS
from ._fig1 import EXPERIMENT as _FIG1
from ._fig2 import EXPERIMENT as _FIG2
from ._fig3 import EXPERIMENT as _FIG3
from ._init_shape import EXPERIMENT as _INIT_SHAPE
from ._step_bias import EXPERIMENT as _STEP_BIAS
from ._theorem2 import EXPERIMENT as _THEOREM2

KEY = "woodworth2020"
TITLE = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro (2020). "
         "Kernel and rich regimes in overparametrized models. COLT.")
EXPERIMENTS = [_FIG1, _FIG2, _FIG3, _THEOREM2, _INIT_SHAPE, _STEP_BIAS]
CHECKS = _CHECKS
ASSUMPTIONS = _ASSUMPTIONS  # the values the checks assume (the experiments' own: their setup)

# The claim in the paper's words (abstract, Theorems 1-3), shown at the top of its report section.
CLAIM = ("The scale of the initialization controls the transition between the \"kernel\" (aka "
         "lazy) and \"rich\" (aka active) regimes and affects generalization properties in "
         "multilayer homogeneous models. For depth-D diagonal linear networks, gradient flow from "
         "scale alpha reaches the interpolator of minimum Q_alpha, which tends to the minimum "
         "l2 norm solution as alpha -> infinity and to the minimum l1 norm solution as alpha -> 0.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Limit of the flow (Thm 1, D = 2; Thm 3, D >= 3)",
     "paper": "beta_alpha^infty = argmin Q_alpha(beta) s.t. X beta = y (exactly)",
     "check": "Woodworth Thm 1"},
    {"quantity": "Figure 1: population error at the smallest alpha (rich)",
     "paper": "small alpha generalises like min-l1, from N = O(r* log d) samples",
     "experiment": "woodworth-fig1", "column": "error at smallest alpha", "by": "N"},
    {"quantity": "Figure 1: population error at the largest alpha (kernel)",
     "paper": "large alpha behaves like min-l2, which needs N = O(d) samples",
     "experiment": "woodworth-fig1", "column": "error at largest alpha", "by": "N"},
    {"quantity": "Theorem 2 (rich): ||beta||_1 / ||beta_l1||_1 at the alpha threshold",
     "paper": "<= 1 + eps for alpha <= min{(2(1+eps)||beta_l1||_1)^(-(2+eps)/(2eps)), "
              "exp(-d/(eps ||beta_l1||_1))}",
     "experiment": "woodworth-theorem2", "column": "worst l1 ratio there", "by": "eps"},
    {"quantity": "Theorem 2 (kernel): ||beta||_2^2 / ||beta_l2||_2^2 at the alpha threshold",
     "paper": "<= 1 + eps for alpha >= sqrt(2(1+eps)(1+2/eps) ||beta_l2||_2)",
     "experiment": "woodworth-theorem2", "column": "worst l2^2 ratio there", "by": "eps"},
    {"quantity": "Figure 3b: largest alpha reaching ||beta||_1 <= 1.01 ||beta_l1||_1",
     "paper": "D >= 3: polynomially small alpha; D = 2: only exponentially small alpha",
     "experiment": "woodworth-fig3",
     "column": "largest alpha with ||beta||_1 <= 1.01 ||beta_l1||_1", "by": "D"},
]
