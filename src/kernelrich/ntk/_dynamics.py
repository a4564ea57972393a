"""Function-space dynamics of the square loss under a fixed kernel (Jacot et al. 2018, Sec. 5).

Loss L(f) = (1/2) c sum_i (f(x_i) - y_i)^2 with c = 1/N (`"mean"`, Jacot's empirical cost)
or c = 1 (`"sum"`). Kernel gradient flow d f / dt = -c Theta(., X) (f(X) - y) is linear:
with Theta(X, X) = V diag(lambda) V^T,

    r(t) = f_t(X) - y = V exp(-c lambda t) V^T r(0),
    f_t(x) = f_0(x) - Theta(x, X) V diag(phi_t(lambda)) V^T r(0),
    phi_t(lambda) = (1 - exp(-c lambda t)) / lambda   (= c t at lambda = 0).

Everything goes through one symmetric eigendecomposition: singular kernels are fine, there is
no Cholesky and no inverse (phi is evaluated with expm1, stable for every lambda t). The same
formulas with (1 - lr c lambda)^k in place of exp(-c lambda t) give kernel gradient *descent*
with step lr, the exact counterpart of training with a finite step.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from . import _inputs

NORMALIZATIONS = ("mean", "sum")


class KernelFlow:
    """Kernel gradient flow (or descent) of the square loss from f_0 with kernel Theta(X, X).

    **Arguments:**

    - `ntk_train`: Theta(X, X), symmetric positive semi-definite, shape (N, N).
    - `y`: targets, shape (N,).
    - `f0`: the function at t = 0 on X, shape (N,); default 0.
    - `normalization`: `"mean"` (c = 1/N) or `"sum"` (c = 1).
    """

    def __init__(self, ntk_train, y, *, f0=None, normalization: str = "mean"):
        K = _validate.finite_array("ntk_train", ntk_train, ndim=2)
        if K.shape[0] != K.shape[1]:
            raise ValueError(f"ntk_train must be square, got shape {K.shape}")
        y = _validate.finite_array("y", y, ndim=1)
        if y.shape[0] != K.shape[0]:
            raise ValueError(f"y must have length {K.shape[0]} (ntk_train's size), got {y.shape}")
        f0 = np.zeros_like(y) if f0 is None else _validate.finite_array("f0", f0, ndim=1)
        if f0.shape != y.shape:
            raise ValueError(f"f0 must have shape {y.shape}, got {f0.shape}")
        normalization = _inputs.choice("normalization", normalization, NORMALIZATIONS)
        self.c = 1.0 / len(y) if normalization == "mean" else 1.0
        lam, self.V = np.linalg.eigh(0.5 * (K + K.T))
        order = np.argsort(lam)[::-1]
        self.eigenvalues = np.maximum(lam[order], 0.0)
        self.V = self.V[:, order]
        self.y, self.f0 = y, f0
        self.coefficients0 = self.V.T @ (f0 - y)

    def components(self, t, *, lr: float | None = None) -> np.ndarray:
        """V^T r(t): the residual along the kernel's principal components (largest first).

        Component i decays like exp(-c lambda_i t) (flow) or (1 - lr c lambda_i)^t (descent
        with step `lr`, t = number of steps). Shape (T, N) for T times, (N,) for a scalar t.
        """
        return _times(t, lambda s: self._decay(s, lr) * self.coefficients0)

    def predict_train(self, t, *, lr: float | None = None) -> np.ndarray:
        """f_t(X) = y + V (V^T r(t))."""
        return self.y + self.components(t, lr=lr) @ self.V.T

    def predict(self, ntk_test_train, t, *, f0_test=None, lr: float | None = None):
        """f_t on test points from Theta(X_test, X) (shape (M, N)) and f_0(X_test)."""
        Kt = _validate.finite_array("ntk_test_train", ntk_test_train, ndim=2)
        if Kt.shape[1] != len(self.y):
            raise ValueError(f"ntk_test_train must have {len(self.y)} columns, got {Kt.shape}")
        f0t = np.zeros(Kt.shape[0]) if f0_test is None else _validate.finite_array(
            "f0_test", f0_test, ndim=1)
        KV = Kt @ self.V
        return _times(t, lambda s: f0t - KV @ (self.phi(s, lr=lr) * self.coefficients0))

    def phi(self, t: float, *, lr: float | None = None) -> np.ndarray:
        """phi_t(lambda_i) = (1 - decay_i(t)) / lambda_i, its limit where lambda_i = 0."""
        lam = self.eigenvalues
        if np.isinf(t):
            return np.where(lam > _null(lam), 1 / np.where(lam > _null(lam), lam, 1.0), 0.0)
        if lr is None:
            x = self.c * lam * t
            return self.c * t * _one_minus_exp_over(x)
        x = lr * self.c * lam
        return lr * self.c * t * _one_minus_power_over(x, t)

    def _decay(self, t: float, lr: float | None) -> np.ndarray:
        if np.isinf(t):
            return (self.eigenvalues <= _null(self.eigenvalues)).astype(float)
        if lr is None:
            return np.exp(-self.c * self.eigenvalues * t)
        return (1 - lr * self.c * self.eigenvalues) ** t


def kernel_flow(ntk_train, y, t, *, ntk_test_train=None, f0=None, f0_test=None,
                normalization: str = "mean"):
    """Predictions of kernel gradient flow at time(s) t: (f_t(X), f_t(X_test) or None).

    The arguments are those of `KernelFlow` and `KernelFlow.predict`; `t` is a time >= 0
    (`np.inf` for the limit) or a 1-D array of them.

    **Example:**

    With Theta(X, X) = diag(2, 1), y = (1, 1), f_0 = 0 and c = 1/2 (`"mean"`), each residual
    decays alone: f_t(X) = 1 - exp(-lambda t / 2); a test point with Theta(x, X) = (1, 0)
    gets (1 - exp(-t)) / 2:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.ntk import kernel_flow
    >>> K, y = np.diag([2.0, 1.0]), np.array([1.0, 1.0])
    >>> train, test = kernel_flow(K, y, 1.0, ntk_test_train=np.array([[1.0, 0.0]]))
    >>> train.round(6), test.round(6)  # 1 - exp(-1), 1 - exp(-1/2); (1 - exp(-1)) / 2
    (array([0.632121, 0.393469]), array([0.31606]))
    >>> train, test = kernel_flow(K, y, np.inf, ntk_test_train=np.array([[1.0, 1.0]]))
    >>> train, test  # the interpolant: Theta(x, X) Theta(X, X)^(-1) y = 1/2 + 1
    (array([1., 1.]), array([1.5]))

    ```
    """
    flow = KernelFlow(ntk_train, y, f0=f0, normalization=normalization)
    test = None if ntk_test_train is None else flow.predict(ntk_test_train, t, f0_test=f0_test)
    return flow.predict_train(t), test


def trained_gp(nngp, ntk, y, t, *, normalization: str = "mean", lr: float | None = None):
    """Mean and covariance of the infinite-width network trained for time t (Jacot et al.
    2018, Sec. 5; Lee et al. 2019).

    With f_0 ~ GP(0, K) (K the NNGP kernel) and the NTK Theta fixed, the flow is linear:
    f_t(x) = f_0(x) + A(x) (y - f_0(X)), A = Theta(x, X) V diag(phi_t) V^T. Hence
    mean = A y, cov = K_** - A K_X* - (A K_X*)^T + A K_XX A^T.

    **Arguments:**

    - `nngp`, `ntk`: Grams over the N training points (first) and M test points, (N+M, N+M).
    - `y`: training targets (N,). `t`: time (may be `np.inf`), or the number of steps if `lr`.
    - `lr`: `None` for the flow; a step size for kernel gradient descent (t = steps).

    **Returns:** (mean of shape (M,), covariance of shape (M, M)).

    **Example:**

    One training and one test point, with NNGP = NTK = [[1, 1/2], [1/2, 1]]: at t = 0 the
    prior (mean 0, variance 1); as t -> inf the Gaussian-process posterior, mean
    K_*X K_XX^(-1) y = y / 2 and variance 1 - 1/4:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.ntk import trained_gp
    >>> K, y = np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([2.0])
    >>> trained_gp(K, K, y, 0.0)
    (array([0.]), array([[1.]]))
    >>> trained_gp(K, K, y, np.inf)
    (array([1.]), array([[0.75]]))

    ```
    """
    y = _validate.finite_array("y", y, ndim=1)
    n = len(y)
    K = _validate.finite_array("nngp", nngp, ndim=2)
    T = _validate.finite_array("ntk", ntk, ndim=2)
    if K.shape != T.shape or K.shape[0] != K.shape[1] or K.shape[0] <= n:
        raise ValueError(f"nngp and ntk must be equal square Grams larger than len(y)={n}, "
                         f"got {K.shape} and {T.shape}")
    flow = KernelFlow(T[:n, :n], y, normalization=normalization)
    A = (T[n:, :n] @ flow.V) * flow.phi(t, lr=lr) @ flow.V.T
    AK = A @ K[:n, n:]
    cov = K[n:, n:] - AK - AK.T + A @ K[:n, :n] @ A.T
    return A @ y, 0.5 * (cov + cov.T)


def _times(t, fn):
    ts = np.asarray(t, dtype=np.float64)
    if ts.ndim > 1 or np.isnan(ts).any() or (ts < 0).any():
        raise ValueError(f"t must be a time >= 0 or a 1-D array of them, got {t!r}")
    return fn(float(ts)) if ts.ndim == 0 else np.stack([fn(float(s)) for s in ts])


def _null(lam: np.ndarray) -> float:
    return lam.size * np.finfo(float).eps * max(float(lam.max(initial=0.0)), 1e-300)


def _one_minus_exp_over(x: np.ndarray) -> np.ndarray:
    """(1 - exp(-x)) / x, 1 at x = 0."""
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1.0, -np.expm1(-x) / safe)


def _one_minus_power_over(x: np.ndarray, k: float) -> np.ndarray:
    """(1 - (1 - x)^k) / (k x), 1 at x = 0 (k steps of size x of kernel descent)."""
    if k == 0:
        return np.ones_like(x)
    safe = np.where(x == 0, 1.0, x)
    small = np.abs(x) < 0.5
    log1p = np.log1p(-np.where(small, x, 0.0))
    near = -np.expm1(k * log1p) / (k * safe)
    far = (1 - (1 - x) ** k) / (k * safe)
    return np.where(x == 0, 1.0, np.where(small, near, far))
