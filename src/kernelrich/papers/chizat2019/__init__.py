"""Chizat, Oyallon, Bach (2019), On lazy training in differentiable programming (seed
section 2, and section 1.5 on real data): Theorems 2.2 and 2.4 measured, the authors' two-layer
experiments (the plane teacher-student, test loss against the init scale, population loss
under SGD, test loss against the width), the lazy vs mean-field scaling of the width, the
CNN experiment in small on digits (an MLP, and a CNN at the authors' scales), and the theorem
checks."""

from . import _cnn, _digits, _plane, _population, _scaling, _tau, _thm22, _thm24, _width
from ._checks import ASSUMPTIONS as ASSUMPTIONS
from ._checks import CHECKS as _CHECKS
from ._common import KEY as KEY

CHECKS = [*_CHECKS, _cnn.CHECK]

TITLE = ("Chizat, Oyallon, Bach (2019). On lazy training in differentiable programming")

EXPERIMENTS = [_thm22.EXPERIMENT, _thm24.EXPERIMENT, _plane.EXPERIMENT, _tau.EXPERIMENT,
               _population.EXPERIMENT, _width.EXPERIMENT, _scaling.EXPERIMENT,
               _digits.EXPERIMENT, _cnn.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We show that this 'lazy training' phenomenon is not specific to over-parameterized "
         "neural networks, and is due to a choice of scaling, often implicit, that makes the "
         "model behave as its linearization around the initialization, thus yielding a model "
         "equivalent to learning with positive-definite kernels. Our numerical experiments "
         "bring a critical note, as we observe that the performance of commonly used non-linear "
         "deep convolutional neural networks in computer vision degrades when trained in the "
         "lazy regime.")

_FIGURE = ("the figure made by the authors' shallow-nn/{} (the paper's figure number and "
           "caption were not read)")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Theorem 2.2: sup_t ||w_alpha(t) - w0|| (h(w0) = 0, fixed horizon)",
     "paper": "O(1/alpha): an upper bound; it holds if the log-log slope is at most -1",
     "check": "Chizat-Oyallon-Bach Thm 2.2 (||w - w0|| = O(1/alpha))"},
    {"quantity": "Theorem 2.2: sup_t ||w_alpha(t) - wbar_alpha(t)||",
     "paper": "O(1/alpha^2): an upper bound; it holds if the slope is at most -2",
     "check": "Chizat-Oyallon-Bach Thm 2.2 (||w - wbar|| = O(1/alpha^2))"},
    {"quantity": "Theorem 2.2: sup_t ||alpha h(w_alpha) - alpha hbar(wbar_alpha)||",
     "paper": ("O(1/alpha) by the argument (the seed's restatement writes O(1/alpha^2); the "
               "paper's line was not re-read): an upper bound"),
     "check": "Chizat-Oyallon-Bach Thm 2.2 (||alpha h(w) - alpha hbar(wbar)|| = O(1/alpha))"},
    {"quantity": "Theorem 2.2: the output distance's slope, per model",
     "paper": "not stated per model (the bound is O(1/alpha) for all)",
     "experiment": "lazy-thm22", "column": "slope dist_output", "by": "model"},
    {"quantity": "Theorem 2.4: linear convergence rate for large alpha",
     "paper": "at least m sigma_min^2 / 4 (a lower bound on the rate)",
     "check": "Chizat-Oyallon-Bach Thm 2.4 (rate)"},
    {"quantity": "Theorem 2.4: ||alpha h(w_alpha(t)) - y*|| along the flow",
     "paper": ("at most sqrt(kappa) ||alpha h(w0) - y*|| exp(-m sigma_min^2 t / 4) (the seed's "
               "restatement; kappa = M / m)"),
     "check": "Chizat-Oyallon-Bach Thm 2.4 (bound)"},
    {"quantity": "Section 2.2: the norms in the laziness criterion kappa_h(w0) = ||h(w0) - y*|| "
                 "||D^2h(w0)|| / ||Dh(w0)||^2",
     "paper": ("the definition (the seed's restatement); kappa_{alpha h} = kappa_h / alpha "
               "when h(w0) = 0 holds by construction and is a unit test"),
     "check": "Chizat-Oyallon-Bach kappa (Section 2.2)"},
    {"quantity": "Test loss against tau (two-layer ReLU, d = 100, GD): end of training",
     "paper": "worse at large tau (lazy) than at small tau; " + _FIGURE.format("test_vs_scale.jl"),
     "experiment": "lazy-tau", "column": "ratio (largest tau / lowest)"},
    {"quantity": "Population loss at convergence against tau (SGD, fresh batches)",
     "paper": "worse at large tau (lazy); " + _FIGURE.format("populationSGD.jl"),
     "experiment": "lazy-population", "column": "normalised loss at the largest tau"},
    {"quantity": "Final test loss against m: 1/sqrt(m) (lazy) vs 1/m (mean field) scaling",
     "paper": "the two scalings compared as m grows; " + _FIGURE.format("test_vs_m.jl"),
     "experiment": "lazy-width", "column": "test mean", "where": {"m": 64},
     "by": "scaling", "note": "m = 64: in both modes' grids (full mode goes to m = 512)"},
    {"quantity": "Log-log slope in m of the relative parameter change",
     "paper": ("lazy scaling: kappa = O(m^-1/2), so the change is at most of order m^-1/2 "
               "(as we read Section 2.2; not re-read); mean field: no decay"),
     "check": "Chizat-Oyallon-Bach (lazy slope)"},
    {"quantity": "Real data: test accuracy against the scale (paper: CNNs on CIFAR-10; "
                 "here an MLP on digits)",
     "paper": "performance degrades in the lazy regime (abstract)",
     "experiment": "lazy-digits", "column": "network", "by": "alpha"},
    {"quantity": "CNN: test accuracy against the scale alpha (paper: VGG-11 on CIFAR-10, "
                 "alpha from 0.01 to 1e7; here a small CNN on digits)",
     "paper": ("'the performance of commonly used non-linear deep convolutional neural "
               "networks in computer vision degrades when trained in the lazy regime' "
               "(abstract)"),
     "experiment": "lazy-cnn", "column": "network", "by": "alpha"},
    {"quantity": "Theorem 2.2 on the CNN: sup_t ||alpha h(w) - alpha hbar(wbar)|| against alpha",
     "paper": "O(1/alpha) for the flows: an upper bound; it holds if the slope is at most -1",
     "check": _cnn.THEOREM},
]
