"""Implicit regularisation in (deep) matrix factorisation: Gunasekar et al. (2017) and
Arora, Cohen, Hu and Luo (2019).

- Problems: `Sensing` (A(X)_i = <A_i, X>) and `Completion` (observed entries), built by
  `gaussian_sensing`, `random_completion`, `diagonal_sensing` (commuting A_i) from a
  `low_rank_truth`.
- Models: `Factorisation` (U U^T or W_N ... W_1), `symmetric_factor`, `deep_factors`.
- Dynamics: `gradient_descent` (compiled, singular values recorded) and
  `gradient_descent_batch` (vmapped over initialisations and steps), `gradient_flow`
  (diffrax); `singular_value_rates`, the right-hand side of Arora et al.'s Theorem 3, and
  `singular_basis_gradient` / `gradient_alignment`, U^T grad l(W) V (their Figure 3).
- Baselines and summaries: `min_nuclear_norm` (cvxpy) and its `kkt_residuals`, `effective_rank`,
  `reconstruction_error`, `relative_error`, `nuclear_norm`; `commuting_limit`, the exact
  limit of the U U^T flow with diagonal A_i, and `min_trace_diagonal`, its alpha -> 0 limit
  (the min-nuclear-norm PSD solution, an LP).
"""

from ._batch import gradient_descent_batch as gradient_descent_batch
from ._commuting import commuting_limit as commuting_limit
from ._descent import DescentResult as DescentResult
from ._descent import gradient_descent as gradient_descent
from ._descent import training_loss as training_loss
from ._flow import FlowPath as FlowPath
from ._flow import gradient_flow as gradient_flow
from ._generate import diagonal_sensing as diagonal_sensing
from ._generate import gaussian_sensing as gaussian_sensing
from ._generate import low_rank_truth as low_rank_truth
from ._generate import random_completion as random_completion
from ._kkt import kkt_residuals as kkt_residuals
from ._metrics import effective_rank as effective_rank
from ._metrics import nuclear_norm as nuclear_norm
from ._metrics import reconstruction_error as reconstruction_error
from ._metrics import relative_error as relative_error
from ._models import Factorisation as Factorisation
from ._models import deep_factors as deep_factors
from ._models import symmetric_factor as symmetric_factor
from ._nuclear import NuclearNormResult as NuclearNormResult
from ._nuclear import min_nuclear_norm as min_nuclear_norm
from ._problems import Completion as Completion
from ._problems import Sensing as Sensing
from ._problems import completion as completion
from ._problems import sensing as sensing
from ._theorem3 import end_to_end_loss as end_to_end_loss
from ._theorem3 import gradient_alignment as gradient_alignment
from ._theorem3 import singular_basis_gradient as singular_basis_gradient
from ._theorem3 import singular_value_rates as singular_value_rates
from ._trace import min_trace_diagonal as min_trace_diagonal
