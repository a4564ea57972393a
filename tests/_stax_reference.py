"""An independent reference for convolutional kernels: the joint covariance of every
(input, position) pair as one dense matrix, transformed layer by layer with explicit matrices.

Sigma and Theta have shape (N P, N P) (index (a, p) = a P + p, positions flattened in C order).
A convolution is sum_d (I_N (x) S_d) Sigma (I_N (x) S_d)^T / |F| with S_d the selection matrix
of filter offset d (zero rows for SAME padding, wrapped indices for CIRCULAR); pooling is
(I (x) M) Sigma (I (x) M)^T with M the averaging matrix; activations use the arc-cosine formula
written out with arccos. Nothing here shares code with kernelrich.stax.
"""

from __future__ import annotations

import itertools

import numpy as np


class Joint:
    def __init__(self, X: np.ndarray):
        N, *spatial, C = X.shape
        self.N, self.spatial = N, tuple(spatial)
        flat = X.reshape(N * int(np.prod(spatial)), C)
        self.sigma = flat @ flat.T / C
        self.theta = np.zeros_like(self.sigma)

    @property
    def P(self) -> int:
        return int(np.prod(self.spatial)) if self.spatial else 1

    def _lift(self, S: np.ndarray) -> np.ndarray:
        return np.kron(np.eye(self.N), S)

    def dense(self, W: float, b: float):
        self.sigma = W ** 2 * self.sigma + b ** 2
        self.theta = self.sigma + W ** 2 * self.theta
        return self

    def conv(self, filt, strides, padding, W: float, b: float):
        selections, out = _selections(self.spatial, filt, strides, padding)
        new_sigma = sum(self._lift(S) @ self.sigma @ self._lift(S).T for S in selections)
        new_theta = sum(self._lift(S) @ self.theta @ self._lift(S).T for S in selections)
        size = len(selections)
        self.spatial = out
        self.sigma = W ** 2 * new_sigma / size + b ** 2
        self.theta = self.sigma + W ** 2 * new_theta / size
        return self

    def relu(self):
        d = np.sqrt(np.diag(self.sigma))
        cos = np.clip(self.sigma / np.outer(d, d), -1, 1)
        angle = np.arccos(cos)
        angle[np.diag_indices_from(angle)] = 0.0
        e = np.outer(d, d) * (np.sin(angle) + (np.pi - angle) * cos) / (2 * np.pi)
        edot = (np.pi - angle) / (2 * np.pi)
        self.sigma, self.theta = e, self.theta * edot
        return self

    def abs(self):
        """|u| = relu(u) + relu(-u): E = 2 (k(theta) + k(pi - theta)), slope 1 - 2 theta / pi."""
        d = np.sqrt(np.diag(self.sigma))
        cos = np.clip(self.sigma / np.outer(d, d), -1, 1)
        angle = np.arccos(cos)
        angle[np.diag_indices_from(angle)] = 0.0
        e = np.outer(d, d) * (2 * np.sin(angle) + (np.pi - 2 * angle) * cos) / np.pi
        self.sigma, self.theta = e, self.theta * (1 - 2 * angle / np.pi)
        return self

    def pool(self, window, strides, padding, total: bool = False):
        selections, out = _selections(self.spatial, window, strides, padding)
        M = sum(selections) / (1 if total else len(selections))
        L = self._lift(M)
        self.sigma, self.theta = L @ self.sigma @ L.T, L @ self.theta @ L.T
        self.spatial = out
        return self

    def global_avg_pool(self):
        L = self._lift(np.full((1, self.P), 1 / self.P))
        self.sigma, self.theta = L @ self.sigma @ L.T, L @ self.theta @ L.T
        self.spatial = ()
        return self

    def flatten(self):
        P = self.P
        self.sigma = _block_trace(self.sigma, self.N, P)
        self.theta = _block_trace(self.theta, self.N, P)
        self.spatial = ()
        return self

    def dropout(self, rate: float):
        index = np.diag_indices_from(self.sigma)
        self.sigma[index] /= rate
        self.theta[index] /= rate
        return self

    def layer_norm(self, over_space: bool, eps: float = 1e-12):
        v = np.diag(self.sigma).reshape(self.N, self.P)
        if over_space:
            v = np.repeat(v.mean(axis=1, keepdims=True), self.P, axis=1)
        v = v.reshape(-1) + eps
        scale = 1 / np.sqrt(np.outer(v, v))
        self.sigma, self.theta = self.sigma * scale, self.theta * scale
        return self

    def kernels(self):
        return self.sigma, self.theta


def _block_trace(K, N, P):
    return np.array([[np.trace(K[a * P:(a + 1) * P, b * P:(b + 1) * P]) / P for b in range(N)]
                     for a in range(N)])


def _selections(spatial, window, strides, padding):
    """One (P_out, P_in) 0/1 matrix per window offset, and the output spatial shape."""
    pads, out = [], []
    for n, w, s in zip(spatial, window, strides, strict=True):
        if padding == "VALID":
            lo, size = 0, (n - w) // s + 1
        else:
            size = -(-n // s)
            total = max((size - 1) * s + w - n, 0)
            lo = total // 2
        pads.append(lo)
        out.append(size)
    P_in = int(np.prod(spatial))
    mats = []
    for offset in itertools.product(*(range(w) for w in window)):
        S = np.zeros((int(np.prod(out)), P_in))
        for o_index, o in enumerate(itertools.product(*(range(k) for k in out))):
            source = []
            for oi, d, s, lo, n in zip(o, offset, strides, pads, spatial, strict=True):
                i = oi * s + d - lo
                if padding == "CIRCULAR":
                    i %= n
                source.append(i if 0 <= i < n else None)
            if None not in source:
                S[o_index, np.ravel_multi_index(source, spatial)] = 1.0
        mats.append(S)
    return mats, tuple(out)
