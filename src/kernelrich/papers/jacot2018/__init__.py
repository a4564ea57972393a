"""Jacot, Gabriel, Hongler (2018), Neural tangent kernel (seed section 3): Figures 1-3, the
width rates, positive definiteness on the sphere, and the theorem checks."""

from . import _fig1, _fig2, _fig3, _rates, _sphere
from ._checks import CHECKS as CHECKS
from ._setup import KEY as KEY

TITLE = ("Jacot, Gabriel, Hongler (2018). Neural tangent kernel: convergence and "
         "generalization in neural networks")

EXPERIMENTS = [_fig1.EXPERIMENT, _fig2.EXPERIMENT, _fig3.EXPERIMENT, _rates.EXPERIMENT,
               _sphere.EXPERIMENT]
