"""Lazy training (Chizat, Oyallon, Bach 2019): the scaled objective F_alpha(w) =
R(alpha h(w)) / alpha^2 of any JAX model, its linearisation hbar (jvp), the gradient flows
and gradient descents of both from the same w0 with Theorem 2.2's distances recorded,
centring constructions (h(w0) = 0), the laziness criterion kappa and the tangent-kernel
change. Sweeps over scales and initialisations run as one vmapped, compiled program.
"""

from ._centre import UncentredWarning as UncentredWarning
from ._centre import antisymmetric as antisymmetric
from ._centre import check_centred as check_centred
from ._centre import subtract_initial as subtract_initial
from ._criterion import Laziness as Laziness
from ._criterion import laziness as laziness
from ._criterion import operator_norms as operator_norms
from ._descent import LazyDescent as LazyDescent
from ._descent import lazy_descent as lazy_descent
from ._flow import LazyPath as LazyPath
from ._flow import lazy_flow as lazy_flow
from ._kernel import kernel_change as kernel_change
from ._models import diagonal_init as diagonal_init
from ._models import diagonal_net as diagonal_net
from ._models import smooth_two_layer as smooth_two_layer
from ._models import two_layer as two_layer
from ._models import two_layer_gaussian_init as two_layer_gaussian_init
from ._models import two_layer_init as two_layer_init
from ._problem import linearize as linearize
from ._problem import scaled_objective as scaled_objective
