"""Jacot, Gabriel, Hongler (2018), Neural tangent kernel (seed section 3): Figures 1-3 as the
paper (and, where it is silent, the authors' scripts) ran them, the width rates (our
experiment), the per-component rates of Sec. 5 (our experiment), positive definiteness on the
sphere, and the theorem checks."""

from . import (
    _fig1,
    _fig2,
    _fig3,
    _pc_rates,
    _pc_rates_checks,
    _rates,
    _spectrum,
    _spectrum_checks,
    _sphere,
)
from ._checks import ASSUMPTIONS as _ASSUMPTIONS
from ._checks import CHECKS as _CHECKS
from ._setup import KEY as KEY

TITLE = ("Jacot, Gabriel, Hongler (2018). Neural tangent kernel: convergence and "
         "generalization in neural networks")

EXPERIMENTS = [_fig1.EXPERIMENT, _fig2.EXPERIMENT, _fig3.EXPERIMENT, _pc_rates.EXPERIMENT,
               _rates.EXPERIMENT, _sphere.EXPERIMENT, *_spectrum.EXPERIMENTS]
CHECKS = [*_CHECKS, *_pc_rates_checks.CHECKS, *_spectrum_checks.CHECKS]
ASSUMPTIONS = [*_ASSUMPTIONS, *_pc_rates_checks.ASSUMPTIONS]

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
     "paper": "the wider network varies less between initialisations, with similar means "
              "(figure, no number)",
     "experiment": "jacot-fig1", "column": "std over inits (mean over g)", "by": "width"},
    {"quantity": "Figure 1: relative movement of the NTK in training",
     "paper": "the kernel 'inflates' during training, much less at n = 10000 than at n = 500 "
              "(figure)",
     "experiment": "jacot-fig1", "column": "relative change in training (mean)", "by": "width"},
    {"quantity": "Log-log slope in width of the NTK's fluctuation and movement",
     "paper": "not in this paper (its Thm 1-2 state the limits only); Lee et al. (2019) "
              "bound both by O(n^(-1/2)): a slope of at most -1/2",
     "experiment": "jacot-rates", "column": "slope", "by": "quantity"},
    {"quantity": "Figure 2: trained networks inside the limiting GP's 10-90 % band",
     "paper": "the networks' outputs are distributed like the t -> infinity Gaussian process "
              "of the limit (figure)",
     "experiment": "jacot-fig2", "column": "fraction inside 10-90 % band (expect 0.8)",
     "by": "width"},
    {"quantity": "Training follows kernel gradient descent with the limiting NTK (Thm 2)",
     "paper": "in the infinite-width limit the NTK stays constant, equal to Theta_inf, and "
              "f_theta follows the kernel gradient descent of the cost w.r.t. Theta_inf",
     "check": "Jacot Thm 2"},
    {"quantity": "Figure 3: distance ||h_t|| from the line through f^(2)",
     "paper": "wider networks stay nearer the straight line (h_t = 0 in the limit)",
     "experiment": "jacot-fig3", "column": "max_t ||h_t||", "by": "width"},
    {"quantity": "Figure 3: speed of convergence along f^(2)",
     "paper": "smaller networks converge faster (limit: ||g_t|| = 0.5 exp(-lambda_2 t))",
     "experiment": "jacot-fig3", "column": "e-folding time of ||g_t||", "by": "width"},
    {"quantity": "Positive definiteness on the sphere (Prop 2)",
     "paper": "the limiting NTK is positive definite for a non-polynomial Lipschitz activation",
     "check": "Jacot Prop 2"},
    *_pc_rates_checks.REPORTED,
    *_spectrum_checks.REPORTED,
]
