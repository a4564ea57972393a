import kernelrich  # noqa: F401  (turns on float64 in JAX for every test)
