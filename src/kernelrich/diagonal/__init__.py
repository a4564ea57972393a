"""Depth-D diagonal linear networks beta(w) = w_+^D - w_-^D (Woodworth et al. 2020).

The gradient flow from w_+ = w_- = alpha * w0 on the square loss
L(w) = sum_n (<beta(w), x_n> - y_n)^2 is computed exactly: its limit by Newton on an
N-dimensional dual (`flow_limit`), its trajectory by an N-dimensional ODE
(`gradient_flow`). `parameter_flow` integrates the 2d-dimensional parameter ODE as an
independent check, and `gradient_descent` runs plain GD or SGD. `classification_flow` and
`classification_descent` train the same networks on the exponential and logistic losses
(Moroshko et al. 2020).
"""

from ._classification import ClassificationPath as ClassificationPath
from ._classification import classification_descent as classification_descent
from ._classification import classification_flow as classification_flow
from ._descent import GDResult as GDResult
from ._descent import gradient_descent as gradient_descent
from ._effective import EffectiveInit as EffectiveInit
from ._effective import bregman_limit as bregman_limit
from ._effective import effective_initialisation as effective_initialisation
from ._flow import FlowPath as FlowPath
from ._flow import gradient_flow as gradient_flow
from ._flow import parameter_flow as parameter_flow
from ._limit import FlowLimit as FlowLimit
from ._limit import alpha_range as alpha_range
from ._limit import flow_limit as flow_limit
from ._saddles import SaddlePath as SaddlePath
from ._saddles import saddle_to_saddle as saddle_to_saddle
from ._sweep import SweepResult as SweepResult
from ._sweep import sgd_sweep as sgd_sweep
