"""Chizat & Bach (2018): particle gradient descent in mean-field time and its global
convergence (seed section 6). Experiments: teacher-student in the plane, excess loss vs m,
sparse deconvolution on the torus, lazy vs mean-field scaling; checks in `_checks`."""

from . import _deconv, _excess, _plane, _scaling
from ._checks import CHECKS as CHECKS
from ._common import KEY as KEY

TITLE = ("Chizat, L. & Bach, F. (2018). On the global convergence of gradient descent for "
         "over-parameterized models using optimal transport")

EXPERIMENTS = [_plane.EXPERIMENT, _excess.EXPERIMENT, _deconv.EXPERIMENT, _scaling.EXPERIMENT]
