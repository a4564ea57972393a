"""Chizat & Bach (2018): particle gradient descent in mean-field time and its global
convergence (seed section 6). Experiments: teacher-student in the plane, excess loss vs m,
sparse deconvolution on the torus, lazy vs mean-field scaling; checks in `_checks`."""

from . import _deconv, _excess, _plane, _scaling
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Chizat, L. & Bach, F. (2018). On the global convergence of gradient descent for "
         "over-parameterized models using optimal transport")

EXPERIMENTS = [_plane.EXPERIMENT, _excess.EXPERIMENT, _deconv.EXPERIMENT, _scaling.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("The unknown measure is discretized into a mixture of particles and a continuous-time "
         "gradient descent is performed on their weights and positions; this is an idealization "
         "of the usual way to train neural networks with a large hidden layer. We show that, "
         "when initialized correctly and in the many-particle limit, this gradient flow, "
         "although non-convex, converges to global minimizers.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Limit of the many-particle flow (Thm 3.5)",
     "paper": "a global minimiser of J (excess loss -> 0) when m >> m0",
     "check": "Chizat-Bach Thm 3.5 (global minimum)"},
    {"quantity": "Relative excess loss at the end, median over seeds",
     "paper": "~0 for m >> m0; gradient descent can get stuck for m around m0 (figure)",
     "experiment": "meanfield-excess-loss", "column": "median", "by": "m"},
    {"quantity": "Sparse spikes deconvolution with ~100 particles",
     "paper": "few particles fail, many particles recover the spikes (figure)",
     "check": "Chizat-Bach Thm 3.5 (deconvolution)"},
    {"quantity": "Log-log slope in m of the relative parameter change",
     "paper": "lazy scaling: -1/2 (Chizat, Oyallon, Bach 2019); mean-field: O(1), no decay",
     "experiment": "meanfield-scaling", "column": "fitted_slope", "by": "scaling"},
]
