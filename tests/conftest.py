import kernelrich  # noqa: F401  (turns on float64 in JAX for every test)
from kernelrich._cache import enable_compilation_cache

# Compiled programs are reused across test runs (and by the CLI): see kernelrich._cache.
enable_compilation_cache()
