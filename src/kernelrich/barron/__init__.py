"""Barron's approximation and estimation bounds, made measurable (Barron 1993, 1994; seed §7-8).

- Barron constants: `barron_constant` (closed forms for the `Target` family: `GaussianBump`,
  `Ridge`, `Translated`, `Dilated`, `Combination`), `barron_constant_ball` (C_{f,B} = r C_f),
  `barron_constant_numerical` (Fourier quadrature with an error estimate).
- Constructive approximation (Theorem 1): `greedy_approximation` / `greedy_fit`, the
  greedy and relaxed-greedy algorithm with a vectorised, compiled multi-start unit search
  (`search_unit`), and the proof's per-step guarantee (`greedy_step_bounds`, `greedy_bound`);
  `train_network` for plain least squares.
- Fixed bases (§X): `fixed_basis_approximation` / `projection_errors` (tensor Legendre), and
  the hardest targets for any fixed basis: `fourier_ridges` at `lattice_frequencies`, with
  the Kolmogorov-width bound `width_lower_bound`.
- Estimation (Barron 1994): `penalized_estimator`, `predicted_size`, `estimation_term`,
  `predicted_rate`, `risk_bound`, `fit_rate`.
"""

from ._basis import BasisResult as BasisResult
from ._basis import fixed_basis_approximation as fixed_basis_approximation
from ._basis import graded_indices as graded_indices
from ._basis import legendre_features as legendre_features
from ._basis import projection_errors as projection_errors
from ._estimation import PenalizedEstimate as PenalizedEstimate
from ._estimation import RateFit as RateFit
from ._estimation import estimation_term as estimation_term
from ._estimation import fit_rate as fit_rate
from ._estimation import penalized_estimator as penalized_estimator
from ._estimation import predicted_rate as predicted_rate
from ._estimation import predicted_size as predicted_size
from ._estimation import risk_bound as risk_bound
from ._fourier import FourierIntegralDivergence as FourierIntegralDivergence
from ._fourier import NumericalBarronConstant as NumericalBarronConstant
from ._fourier import barron_constant_numerical as barron_constant_numerical
from ._greedy import SCHEDULES as SCHEDULES
from ._greedy import GreedyResult as GreedyResult
from ._greedy import greedy_approximation as greedy_approximation
from ._greedy import greedy_bound as greedy_bound
from ._greedy import greedy_fit as greedy_fit
from ._greedy import greedy_step_bounds as greedy_step_bounds
from ._measures import uniform_ball as uniform_ball
from ._measures import uniform_cube as uniform_cube
from ._network import SigmoidalNetwork as SigmoidalNetwork
from ._search import UnitSearch as UnitSearch
from ._search import initial_units as initial_units
from ._search import search_unit as search_unit
from ._targets import Combination as Combination
from ._targets import Dilated as Dilated
from ._targets import GaussianBump as GaussianBump
from ._targets import Ridge as Ridge
from ._targets import Target as Target
from ._targets import Translated as Translated
from ._targets import barron_constant as barron_constant
from ._targets import barron_constant_ball as barron_constant_ball
from ._targets import gaussian_first_moment as gaussian_first_moment
from ._train import TrainResult as TrainResult
from ._train import train_network as train_network
from ._train import train_on_values as train_on_values
from ._width import fourier_ridges as fourier_ridges
from ._width import lattice_frequencies as lattice_frequencies
from ._width import width_lower_bound as width_lower_bound
