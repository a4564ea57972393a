"""Arora, Du, Hu, Li, Salakhutdinov & Wang (2019), On exact computation with an infinitely
wide neural net (beyond the seed's papers): the convolutional NNGP and NTK of a CNN with
global average pooling, computed exactly (`kernelrich.stax`), kernel regression with them on
digits against finite CNNs of growing width trained by gradient descent, and the Monte Carlo
kernels of finite networks mixing the layer types against the infinite-width kernels."""

from . import _widths
from ._checks import CHECKS as CHECKS
from ._setup import KEY as KEY

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Arora, Du, Hu, Li, Salakhutdinov, Wang (2019). On exact computation with an "
         "infinitely wide neural net (NeurIPS 2019, arXiv 1904.11955)")

EXPERIMENTS = [_widths.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("The current paper gives the first efficient exact algorithm for computing the "
         "extension of NTK to convolutional neural nets, which we call Convolutional NTK "
         "(CNTK) [...]. Theoretically, we also give the first non-asymptotic proof showing "
         "that a fully-trained sufficiently wide net is indeed equivalent to the kernel "
         "regression predictor using NTK.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Monte Carlo kernels of finite networks against the exact kernels",
     "paper": "Monte Carlo approximation can degrade the performance significantly (Sec. 5, "
              "no rate stated)",
     "check": "Monte Carlo kernels of finite networks converge to kernel_fn at rate "
              "width^-1/2"},
    {"quantity": "Finite CNNs trained by GD against the CNTK predictor",
     "paper": "a fully-trained sufficiently wide net is equivalent to the kernel regression "
              "predictor using NTK (Thm 3.2, no rate)",
     "experiment": "arora-cntk", "column": "|f_CNN - f_kernel GD| / |f_kernel GD|",
     "by": ["width"]},
]
