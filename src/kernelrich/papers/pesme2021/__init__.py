"""Pesme, Pillaud-Vivien & Flammarion (2021), Implicit bias of SGD for diagonal linear networks:
a provable benefit of stochasticity (beyond the seed's papers): the effective initialisation of
SGD against the stochastic-gradient-flow relation alpha_inf = alpha exp(-c gamma int L),
measured (first order in the step; the constant derived here)."""

from ._sgf import EXPERIMENT as _SGF
from ._sgf import KEY as KEY

BEYOND = True
"""Reported under "Beyond the papers"."""

TITLE = ("Pesme, Pillaud-Vivien, Flammarion (2021). Implicit bias of SGD for diagonal linear "
         "networks: a provable benefit of stochasticity (NeurIPS 2021, arXiv 2106.09524)")

EXPERIMENTS = [_SGF]
CHECKS: list = []

CLAIM = ("\"We explicitly characterise the solution chosen by the stochastic flow and prove "
         "that it always enjoys better generalisation properties than that of gradient flow. "
         "Quite surprisingly, we show that the convergence speed of the training loss controls "
         "the magnitude of the biasing effect: the slower the convergence, the better the "
         "bias.\" (abstract)")

REPORTED = [
    {"quantity": "alpha_inf against the loss integral (SGF), measured on SGD",
     "paper": "alpha_inf = alpha exp(-c gamma int L) for the stochastic gradient flow (abstract: "
              "the slower the convergence, the better the bias); constant derived here",
     "experiment": "pesme2021-sgf", "column": "measured / SGF (mean)", "by": "step / gamma_0"},
]
