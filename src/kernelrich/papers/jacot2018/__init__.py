"""Jacot, Gabriel, Hongler (2018), Neural tangent kernel (seed section 3): Figures 1-3, the
width rates, positive definiteness on the sphere, and the theorem checks."""

from . import _fig1, _fig2, _fig3, _rates, _spectrum, _spectrum_checks, _sphere
from ._checks import CHECKS as _CHECKS
from ._setup import KEY as KEY

TITLE = ("Jacot, Gabriel, Hongler (2018). Neural tangent kernel: convergence and "
         "generalization in neural networks")

EXPERIMENTS = [_fig1.EXPERIMENT, _fig2.EXPERIMENT, _fig3.EXPERIMENT, _rates.EXPERIMENT,
               _sphere.EXPERIMENT, *_spectrum.EXPERIMENTS]
CHECKS = [*_CHECKS, *_spectrum_checks.CHECKS]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("During gradient descent on the parameters of an ANN, the network function f_theta "
         "follows the kernel gradient of the functional cost with respect to a new kernel: the "
         "Neural Tangent Kernel (NTK). While the NTK is random at initialization and varies "
         "during training, in the infinite-width limit it converges to an explicit limiting "
         "kernel and it stays constant during training.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "NTK at initialisation (Thm 1)",
     "paper": "converges in probability to the deterministic limit Theta_inf as widths grow",
     "check": "Jacot Thm 1"},
    {"quantity": "Figure 1: spread of Theta_n(x0, x) over initialisations",
     "paper": "width 10000 varies much less than width 500 (figure, no number)",
     "experiment": "jacot-fig1", "column": "std over inits (mean over g)", "by": "width"},
    {"quantity": "Figure 1: relative movement of the NTK in training",
     "paper": "the wide network's kernel barely moves during training",
     "experiment": "jacot-fig1", "column": "relative change in training (mean)", "by": "width"},
    {"quantity": "Log-log slope in width of the NTK's fluctuation and movement",
     "paper": "-1/2 (O(n^(-1/2)); made explicit by Lee et al. 2019)",
     "experiment": "jacot-rates", "column": "slope", "by": "quantity"},
    {"quantity": "Figure 2: trained networks inside the limiting GP's 10-90 % band",
     "paper": "wide networks' outputs follow the limiting Gaussian process (figure)",
     "experiment": "jacot-fig2", "column": "fraction inside 10-90 % band (expect 0.8)",
     "by": "width"},
    {"quantity": "Training follows kernel gradient descent with the limiting NTK (Thm 2)",
     "paper": "the NTK stays constant during training in the infinite-width limit",
     "check": "Jacot Thm 2"},
    {"quantity": "Positive definiteness on the sphere (Prop 2)",
     "paper": "the limiting NTK is positive definite for a non-polynomial Lipschitz activation",
     "check": "Jacot Prop 2"},
    *_spectrum_checks.REPORTED,
]
