"""Depth-D diagonal linear networks beta(w) = w_+^D - w_-^D (Woodworth et al. 2020).

The gradient flow from w_+ = w_- = alpha * w0 on the square loss
L(w) = sum_n (<beta(w), x_n> - y_n)^2 is computed exactly: its limit by Newton on an
N-dimensional dual (`flow_limit`), its trajectory by an N-dimensional ODE
"""

from ._limit import flow_limit as flow_limit
