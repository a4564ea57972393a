"""Chizat & Bach (2018): particle gradient flows in mean-field time and their global
convergence (seed section 6). Experiments (our illustrations of Theorems 3.3 and 3.5, the
paper's Section 4 sizes being unreadable): teacher-student in the plane, excess loss vs m,
sparse deconvolution on the torus; checks in `_checks`."""

from . import _deconv, _excess, _plane
from ._checks import ASSUMPTIONS as ASSUMPTIONS
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Chizat, L. & Bach, F. (2018). On the global convergence of gradient descent for "
         "over-parameterized models using optimal transport")

EXPERIMENTS = [_plane.EXPERIMENT, _excess.EXPERIMENT, _deconv.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("The unknown measure is discretized into a mixture of particles and a continuous-time "
         "gradient descent is performed on their weights and positions; this is an idealization "
         "of the usual way to train neural networks with a large hidden layer. We show that, "
         "when initialized correctly and in the many-particle limit, this gradient flow, "
         "although non-convex, converges to global minimizers.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Limit of the many-particle flow, 2-homogeneous ReLU network (Thm 3.3)",
     "paper": "if the initial support separates (e.g. a sphere around 0) and the flow "
              "converges, the limit is a global minimiser, so J -> min J as m, t -> inf "
              "(Thm 3.3; qualitative, no rate)",
     "check": "Chizat-Bach Thm 3.3 (global minimum)"},
    {"quantity": "Relative excess loss of the flow at t_end, median over seeds",
     "paper": "'this asymptotic behavior is already at play for a reasonable number of "
              "particles, even in high dimension' (abstract; Section 4's sizes not read)",
     "experiment": "meanfield-excess-loss", "column": "median", "by": "m"},
    {"quantity": "Sparse spikes deconvolution from zero weights on a grid (Thm 3.5)",
     "paper": "from {0} x Theta and in the many-particle limit, the flow's limit is a global "
              "minimiser (Thm 3.5); the authors' page of animations: 'the global minimizer "
              "... is found'",
     "check": "Chizat-Bach Thm 3.5 (deconvolution)"},
]
