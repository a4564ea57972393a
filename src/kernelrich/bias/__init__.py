"""Implicit biases of gradient flow on diagonal networks (Woodworth et al. 2020) and the
reference solutions they interpolate between.

- `q`, `Q`: Theorem 1, the D = 2 potential Q_{alpha, w0}.
- `q_D`, `Q_D`: Theorem 3, the depth-D potential (q_D the antiderivative of h_D^{-1}).
- `R`: section 1.7, the l2 distance from the initialisation in parameter space.
- `min_l1`, `min_l2`: the rich and kernel limits.
- `rich_alpha_threshold`, `kernel_alpha_threshold`: Theorem 2.
- `l1_max_margin`, `l2_max_margin`, `q_max_margin`, `angle_between`: the max-margin
  directions of separable data that the classification flow interpolates between (Moroshko
  et al. 2020).
"""

from ._distance import R as R
from ._margins import angle_between as angle_between
from ._margins import l1_max_margin as l1_max_margin
from ._margins import l2_max_margin as l2_max_margin
from ._margins import q_max_margin as q_max_margin
from ._potentials import Q_D as Q_D
from ._potentials import Q as Q
from ._potentials import q as q
from ._potentials import q_D as q_D
from ._references import min_l1 as min_l1
from ._references import min_l2 as min_l2
from ._thresholds import kernel_alpha_threshold as kernel_alpha_threshold
from ._thresholds import rich_alpha_threshold as rich_alpha_threshold
