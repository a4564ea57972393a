"""Arora, Cohen, Hu, Luo (2019), Implicit regularization in deep matrix factorization
(seed §5): Figures 1-3 as the authors' code ran them (roosephu/deep_matrix_factorization:
main.py, configs/, plot.ipynb), the appendix's sensing versions, our own error vs number of
observations, and Theorem 3.

Figures 1-2 and the sensing versions train with the authors' GroupRMSprop (learning rates
1e-3 and 3e-4, Gaussian init, stop at train loss 1e-6); Figure 3 with plain gradient descent
from the identity init (their dynamics configuration); Theorem 3 is checked along the
gradient flow (diffrax)."""

from . import _fig3, _observations, _scales
from ._checks import ASSUMPTIONS as ASSUMPTIONS
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Arora, Cohen, Hu, Luo (2019). Implicit regularization in deep matrix "
         "factorization. NeurIPS.")
EXPERIMENTS = [_scales.COMPLETION, _scales.SENSING, _fig3.EXPERIMENT,
               _observations.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We study the implicit regularization of gradient descent over deep linear neural "
         "networks for matrix completion and sensing, a model referred to as deep matrix "
         "factorization. Our first finding, supported by theory and experiments, is that adding "
         "depth to a matrix factorization enhances an implicit tendency towards low-rank "
         "solutions, oftentimes leading to more accurate recovery.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Figure 1: reconstruction error as the learning rate and the init shrink",
     "paper": "with few observations the error does not approach the min-nuclear-norm "
              "solution's (figure; the test of Gunasekar et al.'s conjecture)",
     "experiment": "arora-fig1-2", "column": "error (mean)",
     "by": ["m", "depth", "lr", "||W(0)||_F"]},
    {"quantity": "Figure 2: effective rank against the init scale",
     "paper": "falls towards the true rank as the init shrinks, more with depth (figure)",
     "experiment": "arora-fig1-2", "column": "effective rank (mean)", "where": {"lr": 0.001},
     "by": ["m", "depth", "||W(0)||_F"]},
    {"quantity": "Figure 3: singular values over gradient descent",
     "paper": "deeper factorisations let a few singular values jump, later and more sharply "
              "(figure)",
     "experiment": "arora-fig3", "column": "step at half the final value (top r)",
     "by": "depth"},
    {"quantity": "Theorem 3: singular value dynamics under balanced init",
     "paper": "d sigma_r/dt = -N (sigma_r^2)^(1-1/N) <grad l(W), u_r v_r^T>",
     "check": "Arora Thm 3"},
]
