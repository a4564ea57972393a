"""Spectra of dot-product kernels on the sphere and the learning curves they predict.

- The Mercer eigenvalues of the infinite-width NNGP and NTK of `kernelrich.ntk` (or of any
  dot-product kernel) on S^(d-1), by the Funk-Hecke formula, with error estimates
  (`mercer_eigenvalues`).
- The eigenvalues of Gram matrices on sampled points beside them (`gram_eigenvalues`,
  `population_eigenvalues`).
- Targets made of spherical harmonics of chosen degrees (`harmonic_target`) and the
  learning curve of kernel (ridge) regression predicted from the spectrum (Bordelon,
  Canatar & Pehlevan 2020; Simon et al. 2021: `learning_curve`).
"""

from ._decay import decay_exponent as decay_exponent
from ._decay import extrapolated_tail as extrapolated_tail
from ._empirical import gram_eigenvalues as gram_eigenvalues
from ._empirical import population_eigenvalues as population_eigenvalues
from ._gegenbauer import funk_hecke_constant as funk_hecke_constant
from ._gegenbauer import gegenbauer as gegenbauer
from ._gegenbauer import multiplicity as multiplicity
from ._kernels import DotProductKernel as DotProductKernel
from ._kernels import as_dot_product as as_dot_product
from ._kernels import dot_product_kernel as dot_product_kernel
from ._kernels import nngp_kernel as nngp_kernel
from ._kernels import ntk_kernel as ntk_kernel
from ._learning import LearningCurve as LearningCurve
from ._learning import learning_curve as learning_curve
from ._mercer import MercerSpectrum as MercerSpectrum
from ._mercer import mercer_eigenvalues as mercer_eigenvalues
from ._modes import fit_mode_errors as fit_mode_errors
from ._sphere import on_sphere as on_sphere
from ._sphere import sphere_points as sphere_points
from ._targets import HarmonicTarget as HarmonicTarget
from ._targets import harmonic_target as harmonic_target
