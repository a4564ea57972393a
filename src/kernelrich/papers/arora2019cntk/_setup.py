"""The network, data and fits shared by the CNTK experiment and check (Arora, Du, Hu, Li,
Salakhutdinov & Wang 2019, arXiv 1904.11955; the authors' code ruosongwang/CNTK, `CNTK.py`).

- Network (`CNTK.py`, CNTK-GAP): 3x3 convolutions, stride 1, zero ("SAME") padding, no bias,
  ReLU with c_sigma = 2 (W_std = sqrt(2): their ReLU step divides by 9 pi), global average
  pooling, then a linear readout; depth = convolutions + 1 (`--depth`, Table 1: 3 to 21).
  We take the smallest depth of Table 1, 3 (two convolutions), on 8x8x1 digits.
- Labels (`CNTK.py`): 0.9 for the class, -0.1 for the others; kernel regression by a direct
  solve with the training Gram (no ridge); the prediction is the argmax.
- Data: scikit-learn's digits (8x8, 1797 images; the issue's choice in place of CIFAR-10),
  pixels standardised by the training images' mean and standard deviation (`utils.py`'s
  `load_cifar`), a train/test split drawn per seed.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.linalg

KEY = "arora2019cntk"
CODE = "ruosongwang/CNTK: CNTK.py"
DEPTH = 3
"""Convolutions + 1, as `CNTK.py`'s `--depth` (Table 1's smallest)."""
W_STD = math.sqrt(2.0)
FILTER = (3, 3)
CLASSES = 10
LABELS = (0.9, -0.1)
"""(the class, the others), as `CNTK.py`."""


def mode(quick: bool) -> str:
    return "quick" if quick else "full"


def network(width: int, stax=None):
    """`(init_fn, apply_fn, kernel_fn)` of the depth-`DEPTH` CNN with `width` channels in the
    NTK parameterisation (neural-tangents' default, as the CNTK assumes)."""
    if stax is None:
        from ... import stax
    layers = []
    for _ in range(DEPTH - 1):
        layers += [stax.Conv(width, FILTER, padding="SAME", W_std=W_STD, b_std=None),
                   stax.Relu()]
    layers += [stax.GlobalAvgPool(), stax.Dense(CLASSES, W_std=1.0, b_std=None)]
    return stax.serial(*layers)


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images[..., None].astype(np.float64) / 16.0, data.target.astype(int)


def split(n_train: int, n_test: int, seed: int, standardise: bool = True):
    """(X_train, labels_train, X_test, labels_test): a random split of the digits (pixels /
    16), with `standardise` both standardised by the training images' pixel mean and
    standard deviation (`utils.py`'s `load_cifar`: per channel, over the training set)."""
    X, labels = _digits()
    order = np.random.default_rng(seed).permutation(len(X))
    tr, te = order[:n_train], order[n_train:n_train + n_test]
    mean, std = (X[tr].mean(), X[tr].std()) if standardise else (0.0, 1.0)
    return (X[tr] - mean) / std, labels[tr], (X[te] - mean) / std, labels[te]


def targets(labels: np.ndarray) -> np.ndarray:
    """One-hot targets 0.9 / -0.1 (`CNTK.py`)."""
    Y = np.full((labels.size, CLASSES), LABELS[1])
    Y[np.arange(labels.size), labels] = LABELS[0]
    return Y


def accuracy(prediction: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(prediction, axis=1) == labels))


def ridgeless(K: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, str]:
    """(K^(-1) Y, status): `CNTK.py`'s direct solve (here by Cholesky, the Gram being PSD)."""
    try:
        return scipy.linalg.cho_solve(scipy.linalg.cho_factor(K), Y), "ok"
    except np.linalg.LinAlgError:
        return np.full_like(Y, np.nan), "not positive definite"


def kernel_gd(K: np.ndarray, Y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Coefficients C with f_t(x) = k(x, X) C for kernel gradient descent from f = 0 on
    (1/2n) sum_i |f(x_i) - y_i|^2 with step `lr` for `steps` steps (the infinite-width
    network trained by the same GD, Jacot et al. 2018): C = K^(-1) (I - (I - lr K / n)^t) Y,
    through K's eigenvectors (exact also where K is near singular)."""
    n = K.shape[0]
    lam, V = np.linalg.eigh(K)
    lam = np.clip(lam, 0.0, None)
    decay = (1 - lr * lam / n) ** steps
    safe = np.where(lam == 0, 1.0, lam)
    factor = np.where(lam == 0, lr * steps / n, (1 - decay) / safe)
    return V @ (factor[:, None] * (V.T @ Y))
