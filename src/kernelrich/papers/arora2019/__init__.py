"""Arora, Cohen, Hu, Luo (2019), Implicit regularization in deep matrix factorization
(seed §5): Figures 1-3 and Theorem 3.

Factorisations are trained as in the authors' code (GroupRMSprop, lr 1e-3, stop at train
loss 1e-6); Theorem 3 is checked along the gradient flow (diffrax)."""

from . import _fig1, _fig2, _fig3
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Arora, Cohen, Hu, Luo (2019). Implicit regularization in deep matrix "
         "factorization. NeurIPS.")
EXPERIMENTS = [_fig1.EXPERIMENT, _fig2.EXPERIMENT, _fig3.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We study the implicit regularization of gradient descent over deep linear neural "
         "networks for matrix completion and sensing, a model referred to as deep matrix "
         "factorization. Our first finding, supported by theory and experiments, is that adding "
         "depth to a matrix factorization enhances an implicit tendency towards low-rank "
         "solutions, oftentimes leading to more accurate recovery.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Figure 1: reconstruction error of depth 3 with few observations",
     "paper": "well below depth 2 and the min-nuclear-norm solution (figure)",
     "experiment": "arora-fig1", "column": "depth-3", "by": "observed entries"},
    {"quantity": "Figure 1: reconstruction error of the min-nuclear-norm solution",
     "paper": "higher than deep factorisations with few observations (figure)",
     "experiment": "arora-fig1", "column": "nuclear", "by": "observed entries"},
    {"quantity": "Figure 2: effective rank at the smallest init scale",
     "paper": "falls towards the true rank as the init scale shrinks, more with depth (figure)",
     "experiment": "arora-fig2", "column": "eff. rank at smallest scale",
     "by": ["setup", "depth"]},
    {"quantity": "Theorem 3: singular value dynamics under balanced init",
     "paper": "d sigma_r/dt = -N (sigma_r^2)^(1-1/N) <grad l(W), u_r v_r^T>",
     "check": "Arora Thm 3"},
]
