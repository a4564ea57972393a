"""Infinite-width kernels (NNGP and NTK) of the architectures researchers use, in
neural-tangents' `stax` calling convention, on current JAX (public API only), float64.

Every layer is a triple `(init_fn, apply_fn, kernel_fn)`; `serial` and friends compose them:

    from kernelrich import stax
    init_fn, apply_fn, kernel_fn = stax.serial(
        stax.Conv(64, (3, 3), padding="SAME"), stax.Relu(), stax.GlobalAvgPool(),
        stax.Dense(10))
    k = kernel_fn(x1, x2, get="ntk")          # float64 NumPy, (n1, n2)

Porting from neural-tangents: `from neural_tangents import stax` -> `from kernelrich import
stax` (docs/migrating.md). What differs from neural-tangents 0.6.5:

- `kernel_fn` returns float64 NumPy arrays (a named tuple `Kernels(nngp, ntk)` for a tuple or
  `None` `get`, not neural-tangents' `Kernel` object), and computes the Gram in blocks under
  `memory_bytes` (no `nt.batch`).
- `Elementwise(fn)` without `nngp_fn` uses quadrature; `ElementwiseNumerical`'s `deg` is not
  used (nodes from the variance); two nonlinearities in a row are one function of a
  Gaussian (exact for ReLU-like compositions, quadrature otherwise); a nonlinearity of a
  non-Gaussian input is refused with the layer named.
- Bad input raises `NetworkError` (a `ValueError`) naming the layer's index and the
  argument; a symmetric Gram that breaks Cauchy-Schwarz warns (`KernelWarning`) with its
  cause. Attention and `Aggregate` are not implemented.
"""

from ._activations import ABRelu as ABRelu
from ._activations import Abs as Abs
from ._activations import Cos as Cos
from ._activations import Elementwise as Elementwise
from ._activations import ElementwiseNumerical as ElementwiseNumerical
from ._activations import Erf as Erf
from ._activations import Gelu as Gelu
from ._activations import LeakyRelu as LeakyRelu
from ._activations import Rbf as Rbf
from ._activations import Relu as Relu
from ._activations import Sign as Sign
from ._activations import Sin as Sin
from ._combinators import FanInConcat as FanInConcat
from ._combinators import FanInSum as FanInSum
from ._combinators import FanOut as FanOut
from ._combinators import Identity as Identity
from ._combinators import parallel as parallel
from ._combinators import serial as serial
from ._convolution import Conv as Conv
from ._dense import Dense as Dense
from ._kernel_fn import KernelFn as KernelFn
from ._kernel_fn import Kernels as Kernels
from ._monte_carlo import empirical_kernels as empirical_kernels
from ._monte_carlo import monte_carlo_kernel_fn as monte_carlo_kernel_fn
from ._normalisation import Dropout as Dropout
from ._normalisation import LayerNorm as LayerNorm
from ._pooling import AvgPool as AvgPool
from ._pooling import Flatten as Flatten
from ._pooling import GlobalAvgPool as GlobalAvgPool
from ._pooling import GlobalSumPool as GlobalSumPool
from ._pooling import SumPool as SumPool
from ._psd import KernelWarning as KernelWarning
from ._spec import NetworkError as NetworkError
