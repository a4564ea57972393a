"""Woodworth et al. (2020), Kernel and rich regimes in overparametrized models (seed §1).

The diagonal-network figures are computed from the exact gradient-flow limit
(`kernelrich.diagonal`); the step-size experiment measures how far gradient descent lands from
it; the matrix-factorisation and neural-network experiments run gradient descent, each with
its measured step sensitivity.
"""

from ._checks import CHECKS as _CHECKS
from ._evidence import ASSUMPTIONS as _ASSUMPTIONS
from ._fig1 import EXPERIMENT as _FIG1
from ._fig2 import EXPERIMENT as _FIG2
from ._fig3 import EXPERIMENT as _FIG3
from ._init_shape import EXPERIMENT as _INIT_SHAPE
from ._matrix import EXPERIMENT as _MATRIX
from ._nn import EXPERIMENT as _NN
from ._step_bias import EXPERIMENT as _STEP_BIAS
from ._theorem2 import EXPERIMENT as _THEOREM2

KEY = "woodworth2020"
TITLE = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro (2020). "
         "Kernel and rich regimes in overparametrized models. COLT.")
EXPERIMENTS = [_FIG1, _FIG2, _FIG3, _THEOREM2, _INIT_SHAPE, _STEP_BIAS, _MATRIX, _NN]
CHECKS = _CHECKS
ASSUMPTIONS = _ASSUMPTIONS  # the values the checks assume (the experiments' own: their setup)

# The claim in the paper's words (abstract, quoted; then Theorems 1-3 as restated in the
# study notes), shown at the top of its report section.
CLAIM = ("\"We show how the scale of the initialization controls the transition between the "
         "'kernel' (aka lazy) and 'rich' (aka active) regimes and affects generalization "
         "properties in multilayer homogeneous models\" (abstract). For depth-D diagonal linear "
         "networks, if gradient flow from scale alpha reaches an interpolator, it is the one of "
         "minimum Q_alpha, which tends to the minimum l2 norm solution as alpha -> infinity and "
         "to the minimum l1 norm solution as alpha -> 0.")

_NOTES = "as restated in the study notes"
_ABSTRACT = ("abstract: \"we also demonstrate this transition empirically for more complex "
             "matrix factorization models and multilayer non-linear networks\"")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Limit of the flow (Thm 1, D = 2; Thm 3, D >= 3)",
     "paper": ("if the flow's limit satisfies X beta = y, it is argmin Q_alpha(beta) s.t. "
               f"X beta = y (Theorems 1 and 3, {_NOTES} §1.4, §1.8)"),
     "check": "Woodworth Thm 1"},
    {"quantity": "Figure 1: population error at the smallest alpha (rich)",
     "paper": ("in the rich limit (min-l1) N = Omega(r* log d) samples suffice to generalise "
               f"well ({_NOTES} §1.5 on Figure 1; the figure itself could not be read)"),
     "experiment": "woodworth-fig1", "column": "error at smallest alpha", "by": "N"},
    {"quantity": "Figure 1: population error at the largest alpha (kernel)",
     "paper": f"in the kernel limit (min-l2) good generalisation needs N = Omega(d) ({_NOTES} "
              "§1.5)",
     "experiment": "woodworth-fig1", "column": "error at largest alpha", "by": "N"},
    {"quantity": "Theorem 2 (rich): ||beta||_1 / ||beta_l1||_1 at the alpha threshold",
     "paper": ("the bound holds: alpha <= min{(2(1+eps)||beta_l1||_1)^(-(2+eps)/(2eps)), "
               "exp(-d/(eps ||beta_l1||_1))} implies ||beta_alpha||_1 <= (1 + eps) "
               f"||beta_l1||_1 ({_NOTES} §1.4)"),
     "experiment": "woodworth-theorem2", "column": "worst l1 ratio there", "by": "eps"},
    {"quantity": "Theorem 2 (kernel): ||beta||_2^2 / ||beta_l2||_2^2 at the alpha threshold",
     "paper": ("the bound holds: alpha >= sqrt(2(1+eps)(1+2/eps) ||beta_l2||_2) implies "
               f"||beta_alpha||_2^2 <= (1 + eps) ||beta_l2||_2^2 ({_NOTES} §1.4)"),
     "experiment": "woodworth-theorem2", "column": "worst l2^2 ratio there", "by": "eps"},
    {"quantity": "Figure 3b: largest alpha reaching ||beta||_1 <= 1.01 ||beta_l1||_1",
     "paper": ("even at D = 3 the alpha needed to approximate ||beta_l1||_1 is polynomial, not "
               f"exponential as for D = 2 ({_NOTES} §1.8 on Figure 3(b))"),
     "experiment": "woodworth-fig3",
     "column": "largest alpha with ||beta||_1 <= 1.01 ||beta_l1||_1", "by": "D"},
    {"quantity": "Kernel regime: large alpha follows the linearised model",
     "paper": ("as alpha -> infinity the gradient flow approaches that of the linearised model "
               f"(§2, after Chizat and Bach; {_NOTES} §1.2)"),
     "check": "Woodworth kernel regime"},
    {"quantity": "Matrix factorisation: distance of the limit to min ||X||_*",
     "paper": _ABSTRACT + " (the setup and figure could not be read)",
     "experiment": "woodworth-matrix", "column": "to min nuclear", "by": "alpha"},
    {"quantity": "Neural network: test error against alpha",
     "paper": _ABSTRACT + "; §7 uses MNIST and CIFAR10 (study notes §1.5; not readable)",
     "experiment": "woodworth-nn", "column": "test error", "by": ["width", "alpha"]},
]
