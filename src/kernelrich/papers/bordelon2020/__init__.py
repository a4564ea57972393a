"""Bordelon, Canatar & Pehlevan (2020), Spectrum dependent learning curves in kernel
regression and wide neural networks (beyond the seed's papers; with Simon, Dickens,
Karkada & DeWeese's eigenlearning form of the same theory): the learning curve of kernel
regression predicted from the kernel's spectrum, against kernel regression with the
limiting NTK and against wide networks trained by gradient descent."""

from . import _curves, _networks
from ._checks import CHECKS as CHECKS
from ._setup import KEY as KEY

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Bordelon, Canatar, Pehlevan (2020). Spectrum dependent learning curves in kernel "
         "regression and wide neural networks (ICML 2020, arXiv 2002.02561)")

EXPERIMENTS = [_curves.EXPERIMENT, _networks.EXPERIMENT]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("We derive analytical expressions for the generalization performance of kernel "
         "regression as a function of the number of training samples using theoretical "
         "methods from Gaussian processes and statistical physics. Our expressions apply to "
         "wide neural networks due to an equivalence between training them and kernel "
         "regression with the Neural Tangent Kernel (NTK). [...] When data are sampled from a "
         "uniform distribution on a high-dimensional hypersphere, dot product kernels, "
         "including NTK, exhibit learning stages where different frequency modes of the "
         "target function are learned.")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Predicted against measured test error of kernel regression (highest d)",
     "paper": "the theory agrees with kernel regression simulations (Fig. 2-3, no number)",
     "check": "Bordelon et al. / Simon et al.: learning curve from the spectrum"},
    {"quantity": "Deviation of the prediction from the measured mean, per dimension",
     "paper": "asymptotically exact (large n and d); no finite-size deviation stated",
     "experiment": "bordelon-kernel", "column": "deviation", "by": ["d", "degree k", "n"]},
    {"quantity": "Wide networks trained by gradient descent against kernel regression",
     "paper": "wide networks follow the NTK's learning curves (Fig. 3, no number)",
     "experiment": "bordelon-networks", "column": "network / kernel regression error",
     "by": ["width", "n", "degree k"]},
]
