"""Moroshko, Gunasekar, Woodworth, Lee, Srebro & Soudry (2020), Implicit bias in deep linear
classification: initialization scale vs training accuracy (beyond the seed's papers): the
classification flow of diagonal networks on the exponential loss, run in the log domain to
training losses of 1e-300, against the l1, l2 and Q max margins."""

from ._angles import EXPERIMENT as _ANGLES
from ._checks import CHECKS as CHECKS
from ._setup import KEY as KEY

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry (2020). Implicit bias in deep "
         "linear classification: initialization scale vs training accuracy (NeurIPS 2020, "
         "arXiv 2007.06738)")

EXPERIMENTS = [_ANGLES]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("\"We show how the transition is controlled by the relationship between the "
         "initialization scale and how accurately we minimize the training loss. Our results "
         "indicate that some limit behaviors of gradient descent only kick in at ridiculous "
         "training accuracies (well beyond 10^-100). Moreover, the implicit bias at reasonable "
         "initialization scales and training accuracies is more complex and not captured by "
         "these limits.\" (abstract)")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "Small alpha, small loss: the l1 max margin",
     "paper": "the rich limit (abstract: the transition is controlled by alpha and the loss)",
     "check": "Moroshko et al.: small alpha and a small loss reach the l1 max margin"},
    {"quantity": "Large alpha, moderate loss: the l2 max margin",
     "paper": "the kernel limit (abstract)",
     "check": "Moroshko et al.: large alpha at a moderate loss stays near the l2 max margin"},
    {"quantity": "In between: neither limit",
     "paper": "\"the implicit bias at reasonable initialization scales and training accuracies "
              "is more complex and not captured by these limits\" (abstract)",
     "check": "Moroshko et al.: the direction is the Q-max-margin at the flow's scale and "
              "margin"},
    {"quantity": "Angle to the l1 max margin against alpha and the loss",
     "paper": "limits kick in \"well beyond 10^-100\" (abstract); no number",
     "experiment": "moroshko2020-angles", "column": "angle to l1",
     "by": ["loss", "alpha", "training loss"]},
]
