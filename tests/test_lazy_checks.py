"""The judges of kernelrich.papers.chizat2019's checks on synthetic evidence: each passes on
evidence that meets the theorem, and fails, naming the run, on a failed solve, a truncated
solve, a NaN, a biased slope or a rate below the bound. (The catalog test runs the checks
themselves: tests/test_checks_can_fail.py.)"""

import copy

import numpy as np
import pytest

from kernelrich.papers.chizat2019 import _checks, _kappa

ALPHAS = np.logspace(0.5, 2.0, 7)


def _thm22_evidence(**exponents):
    runs = {}
    for model in ("a", "b"):
        run = {"alpha": ALPHAS.tolist(), "ok": [True] * 7, "t_stop": [5.0] * 7}
        for name, (bound, _) in _checks.BOUNDS.items():
            run[name] = (3.0 * ALPHAS ** exponents.get(name, bound)).tolist()
        runs[model] = run
    return {"runs": runs, "horizon": 5.0}


@pytest.mark.parametrize("name", list(_checks.BOUNDS))
def test_thm22_judge_accepts_the_bound_and_a_faster_decay(name):
    judge = _checks.thm22_judge(name)
    exact = judge(_thm22_evidence())
    assert exact.passed and abs(exact.error) < 1e-12
    faster = judge(_thm22_evidence(**{name: _checks.BOUNDS[name][0] - 1.0}))
    assert faster.passed and faster.error == pytest.approx(-1.0)  # an upper bound: passes


@pytest.mark.parametrize("name", list(_checks.BOUNDS))
def test_thm22_judge_fails_and_names_the_run(name):
    judge = _checks.thm22_judge(name)
    slow = judge(_thm22_evidence(**{name: _checks.BOUNDS[name][0] + 0.2}))
    assert not slow.passed and slow.error == pytest.approx(0.2)
    e = _thm22_evidence()
    e["runs"]["b"]["ok"][3] = False
    result = judge(e)
    assert not result.passed and result.failed_runs == (
        f"b, alpha={ALPHAS[3]:.3g}: solver status not successful",)
    e = _thm22_evidence()
    e["runs"]["a"]["t_stop"][-1] = 2.5
    assert "the solve stopped at t=2.5" in judge(e).failed_runs[0]
    e = _thm22_evidence()
    e["runs"]["a"][name][0] = float("nan")
    result = judge(e)
    assert not result.passed and np.isnan(result.error) and result.failed_runs[0].startswith("a")


def _thm24_evidence(rate_factor=1.0):
    s2, times = 0.02, np.linspace(0.0, 6 * np.log(10) / 0.02, 21)
    resid = np.stack([np.exp(-rate_factor * s2 * times) * (1 + 0.5 * np.exp(-10 * s2 * times))
                      for _ in range(3)])
    return {"alpha": [10.0, 100.0, 1000.0], "times": times.tolist(), "residual": resid.tolist(),
            "sigma_min_sq": s2, "ok": [True] * 3, "t_stop": [times[-1]] * 3,
            "horizon": float(times[-1]), "method": "synthetic"}


def test_thm24_judges():
    e = _thm24_evidence()
    rate, bound = _checks.thm24_rate(e), _checks.thm24_bound(e)
    assert rate.passed and rate.error == pytest.approx(0.25, rel=1e-3)  # rate sigma^2
    assert bound.passed
    slow = _thm24_evidence(rate_factor=0.2)  # 0.8 times the bound's rate sigma^2 / 4
    assert not _checks.thm24_rate(slow).passed and not _checks.thm24_bound(slow).passed
    e["ok"][1] = False
    assert not _checks.thm24_rate(e).passed
    assert _checks.thm24_bound(e).failed_runs == ("antisymmetric, alpha=100: solver status "
                                                  "not successful",)
    flat = _thm24_evidence(rate_factor=1e-3)  # never falls into the fit window: no rate
    result = _checks.thm24_rate(flat)
    assert not result.passed and "no rate measured" in result.failed_runs[0]


def _kappa_evidence():
    rng = np.random.default_rng(0)
    J = rng.standard_normal((2, 9))
    A = rng.standard_normal((2, 9, 9))
    H = A + A.transpose(0, 2, 1)
    return {"jacobian": J, "hessians": H,
            "jacobian_norm": float(np.linalg.svd(J, compute_uv=False)[0]),
            "hessian_norm": _kappa.hessian_norm(H)}


def test_hessian_norm_is_the_sup_over_the_circle():
    e = _kappa_evidence()
    H = e["hessians"]
    t = np.linspace(0.0, np.pi, 50_001)
    mixed = np.cos(t)[:, None, None] * H[0] + np.sin(t)[:, None, None] * H[1]
    brute = np.max(np.abs(np.linalg.eigvalsh(mixed)))
    assert brute <= e["hessian_norm"] * (1 + 1e-14)
    assert e["hessian_norm"] == pytest.approx(brute, rel=1e-8)
    assert max(np.linalg.norm(Hi, 2) for Hi in H) <= e["hessian_norm"]


def test_kappa_judge_and_its_counterexamples():
    e = _kappa_evidence()
    assert _kappa.judge(e).passed
    for c in _kappa.COUNTEREXAMPLES:
        assert not _kappa.judge(c.corrupt(copy.deepcopy(e))).passed, c.what
    above = dict(e, hessian_norm=e["hessian_norm"] * (1 + 1e-7))  # within TOL, but above
    result = _kappa.judge(above)
    assert not result.passed and "not a lower bound" in result.failed_runs[0]


def test_lazy_slope_judge():
    ms = [64, 256, 1024]
    e = {"m": ms, "lazy": (0.5 * np.array(ms, float) ** -0.5).tolist(),
         "lazy final_loss": [0.1] * 3, "mean-field": [0.3] * 3}
    assert _checks.lazy_slope(e).passed
    e["lazy final_loss"][1] = float("inf")
    assert _checks.lazy_slope(e).failed_runs == ("m=256: final loss is inf",)
