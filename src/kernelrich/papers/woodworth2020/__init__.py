"""Woodworth et al. (2020), Kernel and rich regimes in overparametrized models (seed §1).

Every figure is computed from the exact gradient-flow limit (`kernelrich.diagonal`), except
the step-size experiment, which measures how far gradient descent lands from it.
"""

from ._checks import CHECKS as _CHECKS
from ._fig1 import EXPERIMENT as _fig1
from ._fig2 import EXPERIMENT as _fig2
from ._fig3 import EXPERIMENT as _fig3
from ._init_shape import EXPERIMENT as _init_shape
from ._step_bias import EXPERIMENT as _step_bias
from ._theorem2 import EXPERIMENT as _theorem2

KEY = "woodworth2020"
TITLE = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro (2020). "
         "Kernel and rich regimes in overparametrized models. COLT.")
EXPERIMENTS = [_fig1, _fig2, _fig3, _theorem2, _init_shape, _step_bias]
CHECKS = _CHECKS
