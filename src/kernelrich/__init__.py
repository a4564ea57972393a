"""kernelrich: kernel (lazy, NTK) and rich regimes of overparametrized models.

Importing kernelrich turns on float64 in JAX: the theorems are checked to machine
precision, which float32 cannot give.
"""

import jax as _jax

from ._cache import enable_compilation_cache as enable_compilation_cache

_jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"
