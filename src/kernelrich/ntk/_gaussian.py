"""Gaussian expectations of the NNGP / NTK recursion ("dual activations").

For (u, v) ~ N(0, [[a, c], [c, b]]) these return
    E[sigma(u) sigma(v)]   and   E[sigma'(u) sigma'(v)]
(Jacot et al. 2018, Thm 1 and its proof). Closed forms, with s = sqrt(ab),
cos(theta) = c / s:
- ReLU (arc-cosine kernel, Cho & Saul 2009): s (sin theta + (pi - theta) cos theta) / (2 pi)
  and (pi - theta) / (2 pi).
- abs = relu(x) + relu(-x): s (2 sin theta + (pi - 2 theta) cos theta) / pi and
  1 - 2 theta / pi.
- erf (Williams 1997): (2/pi) arcsin(2c / sqrt((1 + 2a)(1 + 2b))) and
  (4/pi) / sqrt((1 + 2a)(1 + 2b) - 4c^2).
- gelu, x Phi(x). With p = 1 + a, q = 1 + b, D = pq - c^2 (>= 1 + a + b) and
  A = arcsin(c / sqrt(pq)):
      E[gelu' gelu'] = 1/4 + A / (2 pi) + c (1/p + 1/q) / (2 pi sqrt D) + c / (2 pi D^(3/2)),
  the sum of E[Phi(u) Phi(v)] (an orthant probability), E[Phi(u) v phi(v)] and its mirror
  (Stein's lemma) and E[u phi(u) v phi(v)] (a Gaussian integral). Integrating it in c (Price's
  theorem, d E[g(u) g(v)] / dc = E[g'(u) g'(v)]) from E[gelu(u)] E[gelu(v)] = ab / (2 pi
  sqrt(pq)) gives
      E[gelu gelu] = c/4 + c A / (2 pi) + (ab D + c^2) / (2 pi pq sqrt D).
  Both are tested against an adaptive 2-D quadrature in tests/test_ntk_quadrature.py.

Every other activation goes through `kernelrich.ntk._quadrature`.
"""

from __future__ import annotations

import jax.numpy as jnp

from ._activations import Activation
from ._quadrature import quadrature_dual


def _angle(s11, s22, s12):
    """(s, cos theta, sin theta, theta) with square roots taken before broadcasting.

    sin theta is the smaller of sqrt(1 - cos^2) and sqrt(s11 s22 - s12^2) / s. Both are exact
    to rounding away from theta = 0 and pi, and at those ends each is 0 where its own
    rounding lands exactly: the determinant for x' = -x (exactly 0, where the rounded cosine
    of a product of square roots, sqrt(0.5)^2 = 0.5000000000000001, put theta 2e-8 from pi),
    the cosine where a covariance and the variances differ by an ulp but the cosine rounds
    to 1 (the deeper layers of a recursion at x' = x)."""
    r11, r22 = jnp.sqrt(s11), jnp.sqrt(s22)
    inv11 = jnp.where(r11 > 0, 1 / jnp.where(r11 > 0, r11, 1.0), 0.0)
    inv22 = jnp.where(r22 > 0, 1 / jnp.where(r22 > 0, r22, 1.0), 0.0)
    s = r11 * r22
    cos = jnp.clip(jnp.where(s > 0, s12 * inv11 * inv22, 1.0), -1.0, 1.0)
    det = jnp.maximum(s11 * s22 - s12 * s12, 0.0)
    sin = jnp.minimum(jnp.sqrt(jnp.maximum(1.0 - cos * cos, 0.0)),
                      jnp.sqrt(det) * inv11 * inv22)
    return s, cos, sin, jnp.arctan2(sin, cos)


def relu_dual(s11, s22, s12):
    """(E[relu(u) relu(v)], E[relu'(u) relu'(v)]), arc-cosine closed form.

    `s11`, `s22` may be broadcastable vectors (n1, 1), (1, n2): their square roots are taken
    before broadcasting, so each entry costs one atan2 and one sqrt.
    """
    s, cos, sin, theta = _angle(s11, s22, s12)
    return s * (sin + (jnp.pi - theta) * cos) / (2 * jnp.pi), (jnp.pi - theta) / (2 * jnp.pi)


def abs_dual(s11, s22, s12):
    """(E[|u| |v|], E[sign(u) sign(v)]), from the arc-cosine kernel of relu(x) + relu(-x)."""
    s, cos, sin, theta = _angle(s11, s22, s12)
    return s * (2 * sin + (jnp.pi - 2 * theta) * cos) / jnp.pi, 1 - 2 * theta / jnp.pi


def erf_dual(s11, s22, s12):
    """(E[erf(u) erf(v)], E[erf'(u) erf'(v)]), Williams' closed form."""
    a, b = 1 + 2 * s11, 1 + 2 * s22
    value = (2 / jnp.pi) * jnp.arcsin(jnp.clip(2 * s12 / jnp.sqrt(a * b), -1.0, 1.0))
    det = 1 + 2 * (s11 + s22) + 4 * (s11 * s22 - s12 * s12)  # (1 + 2a)(1 + 2b) - 4c^2
    slope = (4 / jnp.pi) / jnp.sqrt(jnp.maximum(det, 1.0))
    return value, slope


def gelu_dual(s11, s22, s12):
    """(E[gelu(u) gelu(v)], E[gelu'(u) gelu'(v)]) for the exact gelu x Phi(x) (module doc)."""
    p, q = 1 + s11, 1 + s22
    det = 1 + s11 + s22 + (s11 * s22 - s12 * s12)  # pq - c^2 >= 1 + a + b
    det = jnp.maximum(det, 1.0)
    root = jnp.sqrt(det)
    angle = jnp.arcsin(jnp.clip(s12 / jnp.sqrt(p * q), -1.0, 1.0))
    value = (s12 / 4 + s12 * angle / (2 * jnp.pi)
             + (s11 * s22 * root + s12 * s12 / root) / (2 * jnp.pi * p * q))
    slope = (0.25 + angle / (2 * jnp.pi) + s12 * (1 / p + 1 / q) / (2 * jnp.pi * root)
             + s12 / (2 * jnp.pi * det * root))
    return value, slope


CLOSED = {"relu": relu_dual, "abs": abs_dual, "erf": erf_dual, "gelu": gelu_dual}


def dual(act: Activation, s11, s22, s12, *, quadrature: bool, nodes: tuple[int, int]):
    """The closed form when there is one and `quadrature` is False, else the quadrature with
    (outer, inner) `nodes` (`kernelrich.ntk._quadrature.node_counts`)."""
    if not quadrature and act.closed_form:
        return CLOSED[act.name](s11, s22, s12)
    return quadrature_dual(act, s11, s22, s12, nodes)
