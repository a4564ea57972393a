"""The probability measures mu of the experiments: samples on the ball B_r (Barron 1993, §III)
and on the cube [-1, 1]^d."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate


def uniform_ball(N: int, d: int, radius: float = 1.0, *, seed: int) -> Float[np.ndarray, "N d"]:
    """N points uniform on the ball B_r = {x in R^d : |x| <= r}.

    **Arguments:**

    - `N`, `d`: sample size and dimension (>= 1).
    - `radius`: r > 0.
    - `seed`: the only source of randomness.

    **Returns:**

    An `(N, d)` array: direction uniform on the sphere, radius r U^(1/d).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import uniform_ball
    >>> X = uniform_ball(100, 3, radius=2.0, seed=0)
    >>> X.shape, bool(np.linalg.norm(X, axis=1).max() <= 2.0)
    ((100, 3), True)

    ```
    """
    N = _validate.integer("N", N, minimum=1)
    d = _validate.integer("d", d, minimum=1)
    radius = _validate.positive("radius", radius)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, d))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    return radius * z * rng.uniform(size=(N, 1)) ** (1 / d)


def uniform_cube(N: int, d: int, *, seed: int) -> Float[np.ndarray, "N d"]:
    """N points uniform on the cube [-1, 1]^d (Barron 1994's domain; Barron 1993, §X).

    **Arguments:**

    - `N`, `d`: sample size and dimension (>= 1).
    - `seed`: the only source of randomness.

    **Returns:**

    An `(N, d)` array.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import uniform_cube
    >>> X = uniform_cube(100, 3, seed=0)
    >>> X.shape, bool(np.abs(X).max() <= 1.0)
    ((100, 3), True)

    ```
    """
    N = _validate.integer("N", N, minimum=1)
    d = _validate.integer("d", d, minimum=1)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(N, d))
