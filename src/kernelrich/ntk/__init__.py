"""Neural tangent kernels (Jacot, Gabriel, Hongler 2018): networks in the NTK parametrisation,
their empirical NTK, the infinite-width NNGP / NTK, and kernel gradient flow.
"""

from ._activations import Activation as Activation
from ._activations import activation as activation
from ._dynamics import KernelFlow as KernelFlow
from ._dynamics import kernel_flow as kernel_flow
from ._dynamics import trained_gp as trained_gp
from ._empirical import empirical_ntk as empirical_ntk
from ._infinite import infinite_kernels as infinite_kernels
from ._infinite import infinite_nngp as infinite_nngp
from ._infinite import infinite_ntk as infinite_ntk
from ._network import MLP as MLP
from ._network import apply_mlp as apply_mlp
from ._structured import layer_signals as layer_signals
from ._train import TrainResult as TrainResult
from ._train import train_gd as train_gd
from ._train import train_online as train_online
