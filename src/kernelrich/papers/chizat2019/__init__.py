"""Chizat, Oyallon, Bach (2019), On lazy training in differentiable programming (seed
section 2, and section 1.5 on real data): Theorems 2.2 and 2.4 measured, the plane
teacher-student picture, test loss against the init scale, width scaling, digits, and the
theorem checks."""

from . import _digits, _plane, _tau, _thm22, _thm24, _width
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Chizat, Oyallon, Bach (2019). On lazy training in differentiable programming")

EXPERIMENTS = [_thm22.EXPERIMENT, _thm24.EXPERIMENT, _plane.EXPERIMENT, _tau.EXPERIMENT,
               _width.EXPERIMENT, _digits.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We show that this 'lazy training' phenomenon is not specific to over-parameterized "
         "neural networks, and is due to a choice of scaling, often implicit, that makes the "
         "model behave as its linearization around the initialization, thus yielding a model "
         "equivalent to learning with positive-definite kernels. Our numerical experiments "
         "bring a critical note, as we observe that the performance of commonly used non-linear "
         "deep convolutional neural networks in computer vision degrades when trained in the "
         "lazy regime.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Theorem 2.2: sup_t ||w_alpha(t) - w0|| (centred model)",
     "paper": "O(1/alpha): log-log slope -1",
     "check": "Chizat-Oyallon-Bach Thm 2.2 (||w - w0|| = O(1/alpha))"},
    {"quantity": "Theorem 2.2: sup_t ||w_alpha(t) - wbar_alpha(t)||",
     "paper": "O(1/alpha^2): log-log slope -2",
     "check": "Chizat-Oyallon-Bach Thm 2.2 (||w - wbar|| = O(1/alpha^2))"},
    {"quantity": "Theorem 2.2: sup_t ||alpha h(w_alpha) - alpha hbar(wbar_alpha)|| (slope)",
     "paper": "O(1/alpha) in the argument; the seed states O(1/alpha^2)",
     "experiment": "lazy-thm22", "column": "slope dist_output", "by": "model"},
    {"quantity": "Theorem 2.4: linear convergence rate for large alpha",
     "paper": "at least m sigma_min^2 / 4 (a lower bound)",
     "experiment": "lazy-thm24", "column": "measured rate", "by": "alpha"},
    {"quantity": "Section 2.2: the laziness criterion kappa of the scaled model",
     "paper": "kappa_{alpha h}(w0) = kappa_h(w0) / alpha when h(w0) = 0",
     "check": "Chizat-Oyallon-Bach kappa (Section 2.2)"},
    {"quantity": "Real data: test accuracy against the scale (paper: CNNs on CIFAR-10; "
                 "here an MLP on digits)",
     "paper": "best away from the lazy regime; at large scale it tends to the linearised "
              "model's (figure)",
     "experiment": "lazy-digits", "column": "network", "by": "alpha"},
]
