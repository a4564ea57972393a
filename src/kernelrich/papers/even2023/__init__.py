"""Even, Pesme, Gunasekar & Flammarion (2023), (S)GD over diagonal linear networks: implicit
regularisation, large stepsizes and edge of stability (beyond the seed's papers): the limit of
(S)GD as the flow limit of an effective initialisation (`kernelrich.diagonal.
effective_initialisation`), test error against step and batch size, and the edge of
stability."""

from ._checks import CHECKS as CHECKS
from ._eos import EXPERIMENT as _EOS
from ._setup import KEY as KEY
from ._steps import EXPERIMENT as _STEPS

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Even, Pesme, Gunasekar, Flammarion (2023). (S)GD over diagonal linear networks: "
         "implicit regularisation, large stepsizes and edge of stability (NeurIPS 2023, arXiv "
         "2302.08982)")

EXPERIMENTS = [_STEPS, _EOS]

# The claim in the paper's words (abstract), shown at the top of its report section.
CLAIM = ("\"We prove the convergence of GD and SGD with macroscopic stepsizes in an "
         "overparametrised regression setting and characterise their solutions through an "
         "implicit regularisation problem. [...] we show that large stepsizes consistently "
         "benefit SGD for sparse regression problems, while they can hinder the recovery of "
         "sparse solutions for GD. These effects are magnified for stepsizes in a tight window "
         "just below the divergence threshold, in the 'edge of stability' regime.\" (abstract)")

# "Paper reports / we measure" rows of the report (see kernelrich.report.validate_reported).
REPORTED = [
    {"quantity": "The (S)GD limit from its effective initialisation",
     "paper": "the solutions of GD and SGD are characterised through an implicit "
              "regularisation problem (abstract; Theorem 1: a Bregman divergence with an "
              "effective initialisation, text not read in full)",
     "check": "Even et al. Thm 1: the (S)GD limit is the effective initialisation's"},
    {"quantity": "SGD at a macroscopic step against the flow on a sparse teacher",
     "paper": "large stepsizes consistently benefit SGD for sparse regression (abstract)",
     "check": "Even et al.: SGD at a macroscopic step beats the flow on a sparse teacher"},
    {"quantity": "Test error per step and batch size",
     "paper": "large stepsizes can hinder the recovery of sparse solutions for GD (abstract)",
     "experiment": "even2023-steps", "column": "test error",
     "by": ["step / gamma_0", "batch size"]},
    {"quantity": "GD beyond the flow limit's stability threshold",
     "paper": "the effects are magnified in the edge-of-stability window (abstract)",
     "experiment": "even2023-eos", "column": "final_sharpness", "by": "step / gamma_0"},
]
