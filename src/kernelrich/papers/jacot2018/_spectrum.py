"""The Mercer spectra of the limiting NNGP and NTK on the sphere, beside the Gram matrices
they describe (Jacot et al. 2018, Sec. 5: training follows the kernel's principal
components, whose eigenvalues set the rates).

On S^(d-1) the kernels of Thm 1 are dot-product kernels kappa(<x, x'>): their eigenfunctions
are the spherical harmonics, the eigenvalue mu_k of degree k repeated N(d, k) times
(Funk-Hecke; `kernelrich.spectrum`). Inputs have norm sqrt(d), so that x.x'/n_0 = t and
Sigma^(1) = t + beta^2. Two experiments:
- `jacot-spectrum`: mu_k to degree 200 for ReLU networks of depth 2-4 (beta = 0.1, the
  paper's Sec. 6 value), with their error estimates, the decay exponent fitted on the top
  degrees against Bietti & Mairal's (2019, arXiv 1905.12173) p = d for the NTK and p = d + 2
  for the NNGP (Bietti & Bach 2021, arXiv 2009.14397), and the sum rule
  sum_k N(d, k) mu_k = kappa(1) with the degrees above the last resolved one extrapolated.
- `jacot-spectrum-gram`: the eigenvalues of K/n on n uniform points, grouped by the degree of
  the Mercer eigenvalue they estimate, against mu_k as n grows (Koltchinskii & Gine 2000).
"""

from __future__ import annotations

import functools
import time

import numpy as np

from ...experiments import Experiment, Param, grid
from ...spectrum import (
    MercerSpectrum,
    decay_exponent,
    extrapolated_tail,
    gram_eigenvalues,
    mercer_eigenvalues,
    nngp_kernel,
    ntk_kernel,
    population_eigenvalues,
    sphere_points,
)
from . import _setup

KEY = _setup.KEY
BETA, MAX_DEGREE = 0.1, 200
DEPTHS = {True: (2, 3), False: (2, 3, 4)}
DIMS = {True: (3, 10), False: (3, 5, 10, 20)}
GRAM = {True: {"n": (200, 400, 800), "seeds": 4}, False: {"n": (500, 1000, 2000, 4000),
                                                        "seeds": 10}}
GRAM_KERNEL = {"dim": 3, "depth": 3}
GRAM_DEGREES = 4  # degrees 0..4 (the top 25 eigenvalues on S^2)


def kernel(kind: str, dim: int, depth: int, beta: float = BETA):
    """The limiting ReLU NTK or NNGP on the sphere of radius sqrt(dim)."""
    build = ntk_kernel if kind == "ntk" else nngp_kernel
    return build(dim, depth=depth, bias_std=beta, radius=float(np.sqrt(dim)))


def predicted_exponent(kind: str, dim: int) -> int:
    """p in mu_k ~ k^-p: d for the ReLU NTK, d + 2 for the ReLU NNGP (any depth >= 2)."""
    return dim if kind == "ntk" else dim + 2


@functools.lru_cache(maxsize=64)
def spectrum(kind: str, dim: int, depth: int, beta: float = BETA,
             max_degree: int = MAX_DEGREE) -> tuple[MercerSpectrum, float]:
    """The Mercer spectrum (unresolved degrees kept) and its wall time in seconds."""
    k = kernel(kind, dim, depth, beta)
    start = time.perf_counter()
    s = mercer_eigenvalues(k, max_degree, unresolved="keep")
    return s, time.perf_counter() - start


def last_resolved(s: MercerSpectrum) -> int:
    """The last degree before two consecutive unresolved ones (an isolated unresolved degree
    is an eigenvalue that vanishes within its error, as the odd ones of a two-layer NTK
    without bias)."""
    both = ~s.resolved[1:] & ~s.resolved[:-1]
    return int(np.argmax(both)) - 1 if np.any(both) else s.max_degree


def summary(s: MercerSpectrum, kind: str) -> dict:
    """The decay exponent on the top half of the resolved degrees, and the sum rule with the
    degrees above them extrapolated with that exponent."""
    last = last_resolved(s)
    cut = s.truncated(last)
    start = max(10, last // 2)
    p = decay_exponent(cut, start, last)
    tail = extrapolated_tail(cut, p, k_min=start)
    relative = cut.relative_errors
    above = np.flatnonzero(relative > 1e-10)
    return {"last_resolved": last, "fit_from": start, "exponent": p,
            "predicted_exponent": predicted_exponent(kind, s.dim),
            "sum_rule": float((np.sum(cut.masses) + tail - s.kappa_one) / s.kappa_one),
            "tail": float(tail / s.kappa_one),
            "max_relative_error": float(np.max(relative[cut.resolved])),
            "last_1e10": int(above[0] - 1) if above.size else last}


def points(quick: bool) -> list[dict]:
    return grid(kernel=["ntk", "nngp"], depth=list(DEPTHS[quick]), dim=list(DIMS[quick]),
                beta=[BETA], max_degree=[MAX_DEGREE])


def compute(config: dict) -> dict:
    s, seconds = spectrum(config["kernel"], config["dim"], config["depth"], config["beta"],
                          config["max_degree"])
    return {"eigenvalues": s.eigenvalues.tolist(), "errors": s.errors.tolist(),
            "kappa_one": s.kappa_one, "nodes": s.nodes, "seconds": seconds,
            **summary(s, config["kernel"])}


def tables(table, quick: bool):
    rows = [{"kernel": r["kernel"].upper(), "depth": r["depth"], "d": r["dim"],
             "kappa(1)": float(f"{r['kappa_one']:.6g}"),
             "last resolved degree": r["last_resolved"],
             "last degree to 1e-10 relative": r["last_1e10"],
             "largest relative error estimate": float(f"{r['max_relative_error']:.2g}"),
             "fitted exponent p": round(r["exponent"], 4),
             "predicted p": r["predicted_exponent"],
             "sum rule residual": float(f"{r['sum_rule']:.2g}"),
             "extrapolated tail / kappa(1)": float(f"{r['tail']:.2g}"),
             "quadrature nodes": r["nodes"], "seconds": round(r["seconds"], 3)}
            for r in table.rows]
    return [("Mercer spectra of the limiting ReLU NNGP and NTK on the sphere", rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import PAGE_WIDTH, paper_style, save_figure

    dims = table.unique("dim")
    with paper_style():
        fig, axes = plt.subplots(1, len(dims), figsize=(PAGE_WIDTH, 0.36 * PAGE_WIDTH),
                                 squeeze=False)
        for ax, dim in zip(axes[0], dims, strict=True):
            for r in table.where(dim=dim).rows:
                mu, err = np.asarray(r["eigenvalues"]), np.asarray(r["errors"])
                k = np.arange(1, r["last_resolved"] + 1)
                ok = (err[k] < np.abs(mu[k])) & (mu[k] > 0)
                style = "-" if r["kernel"] == "ntk" else "--"
                ax.loglog(k[ok], mu[k][ok], style, lw=0.9,
                          label=f"{r['kernel'].upper()} L={r['depth']}")
            ax.set(title=f"S^{dim - 1} (d = {dim})", xlabel="degree k")
        axes[0][0].set_ylabel(r"$\mu_k$")
        axes[0][0].legend(fontsize=6, ncol=2)
    gaps = [abs(r["exponent"] - r["predicted_exponent"]) for r in table.rows]
    worst = table.rows[int(np.argmax(gaps))]
    caption = (
        f"Mercer eigenvalues mu_k (multiplicity N(d, k)) of the limiting ReLU NTK (solid) and "
        f"NNGP (dashed), beta = {BETA}, inputs of norm sqrt(d), by the Funk-Hecke formula "
        f"(Gauss rule in the angle, doubled to agreement or the rounding floor), degrees up to "
        f"the last one float64 resolves (<= {MAX_DEGREE}; smallest: "
        f"{min(r['last_resolved'] for r in table.rows)}). Fitted decay exponents (top half "
        f"of the resolved degrees) against p = d (NTK), d + 2 (NNGP): largest deviation "
        f"{max(gaps):.3g} ({worst['kernel'].upper()}, depth {worst['depth']}, d = "
        f"{worst['dim']}); sum rule with the extrapolated tail: largest residual "
        f"{max(abs(r['sum_rule']) for r in table.rows):.1e} of kappa(1). Mode: "
        f"{_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_spectrum", caption)]


def setup(quick: bool) -> list[Param]:
    return [
        Param.paper("activation", "ReLU", "Sec. 6 (every experiment)"),
        Param.paper("beta (bias scale)", BETA, "Sec. 6"),
        Param.paper("kernels", "Sigma^(L) (NNGP) and Theta^(L) (NTK)", "Thm 1"),
        Param.choice("depth L", list(DEPTHS[quick]), f"the paper's Fig. 1-2 use L = 4 (full "
                     f"mode {list(DEPTHS[False])}): depth keeps the decay exponent (Bietti & "
                     "Bach 2021)"),
        Param.choice("d (sphere S^(d-1))", list(DIMS[quick]), f"S^2 to S^19 (full mode "
                     f"{list(DIMS[False])}, quick mode {list(DIMS[True])})"),
        Param.choice("input norm", "sqrt(d): x.x'/n_0 = t", "the usual scaling (Simon et "
                     "al.'s hypersphere.py samples the kernel at norm sqrt(d))"),
        Param.choice("max degree", MAX_DEGREE, "each spectrum stops at the last degree "
                     "float64 resolves"),
        Param.paper("predicted exponent", "p = d (NTK), d + 2 (NNGP)",
                    "Bietti & Mairal 2019 (arXiv 1905.12173) Thm 1; Bietti & Bach 2021 "
                    "(arXiv 2009.14397) for deeper networks"),
        Param.choice("exponent fit", "log mu_k on log(k + (d-2)/2), one intercept per "
                     "parity, top half of the resolved degrees", "the shift removes the "
                     "O(1/k) term of Gamma(k - nu) / Gamma(k + nu + d - 1)"),
    ]


EXPERIMENT = Experiment(
    name="jacot-spectrum",
    paper=KEY,
    title="Mercer spectra of the limiting NNGP and NTK on the sphere",
    claim=("On the sphere the limiting kernels are dot-product kernels: their eigenfunctions "
           "are spherical harmonics, and the ReLU NTK's eigenvalues decay as k^(-d), the "
           "NNGP's as k^(-(d+2)) (Bietti & Mairal 2019; Bietti & Bach 2021)."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time="about 1 min (24 spectra; mostly JAX compiling the kernels' tiles)",
)


# The Gram matrices -----------------------------------------------------------------------

def gram_points(quick: bool) -> list[dict]:
    g = GRAM[quick]
    return grid(n=list(g["n"]), seed=list(range(g["seeds"])),
                **{k: [v] for k, v in GRAM_KERNEL.items()}, beta=[BETA])


def population(dim: int, depth: int, beta: float = BETA) -> tuple[np.ndarray, np.ndarray]:
    """mu_k with multiplicity for the degrees 0..GRAM_DEGREES, and each value's degree."""
    s, _ = spectrum("ntk", dim, depth, beta, 60)
    return population_eigenvalues(s, int(np.sum(s.multiplicities[:GRAM_DEGREES + 1])))


def gram_compute(config: dict) -> dict:
    """The top eigenvalues of K/n on n uniform points of the sphere of radius sqrt(d)."""
    dim, n = config["dim"], config["n"]
    X = sphere_points(n, dim, radius=float(np.sqrt(dim)), seed=1000 * config["seed"] + n)
    values, _ = population(dim, config["depth"], config["beta"])
    top = gram_eigenvalues(kernel("ntk", dim, config["depth"], config["beta"]), X)
    return {"top": top[:values.size].tolist()}


def block_means(tops: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """(seeds, degree) means of the sorted eigenvalues over each degree's block."""
    return np.stack([tops[:, degrees == k].mean(axis=1) for k in range(degrees.max() + 1)],
                    axis=1)


def convergence(ns, tops, values, degrees) -> dict:
    """Per n and degree: the block means' relative deviation from mu_k (mean, SE over
    seeds); the Richardson limit 2 m(2n) - m(n) of the two largest n (the deviation is
    O(1/n)) and its z-score; the log-log slope of the mean |deviation| against n.

    `ns` (m,), `tops` (m, seeds, count): the sorted eigenvalues per n and seed."""
    mu = np.array([values[degrees == k][0] for k in range(degrees.max() + 1)])
    means = np.stack([block_means(t, degrees) for t in tops])  # (n, seed, degree)
    seeds = means.shape[1]
    dev = means.mean(axis=1) / mu - 1
    se = means.std(axis=1, ddof=1) / np.sqrt(seeds) / mu
    limit = 2 * means[-1].mean(axis=0) - means[-2].mean(axis=0)
    limit_se = np.sqrt(4 * means[-1].var(axis=0, ddof=1) + means[-2].var(axis=0, ddof=1)
                       ) / np.sqrt(seeds)
    with np.errstate(divide="ignore", invalid="ignore"):  # a NaN or zero spread: z inf/NaN
        z = np.abs(limit - mu) / limit_se
        spread = np.mean(np.abs(dev), axis=1)
        slope = np.polyfit(np.log(ns), np.log(spread), 1)[0] if np.all(
            np.isfinite(spread) & (spread > 0)) else float("nan")
    return {"deviation": dev, "se": se, "limit_z": z, "limit_deviation": limit / mu - 1,
            "slope": float(slope), "mu": mu}


def _gram_table(table):
    values, degrees = population(**{k: table.rows[0][k] for k in ("dim", "depth", "beta")})
    ns = np.array(table.unique("n"))
    tops = np.stack([np.array([r["top"] for r in table.where(n=int(n)).rows]) for n in ns])
    return ns, convergence(ns, tops, values, degrees)


def gram_tables(table, quick: bool):
    ns, c = _gram_table(table)
    rows = [{"degree k": k, "mu_k": float(f"{c['mu'][k]:.6g}"),
             **{f"n={n}: deviation": f"{c['deviation'][i, k]:+.2e} +- {c['se'][i, k]:.1e}"
                for i, n in enumerate(ns)},
             "Richardson limit deviation": float(f"{c['limit_deviation'][k]:.2g}"),
             "z-score of the limit": round(float(c["limit_z"][k]), 2)}
            for k in range(c["mu"].size)]
    return [(f"Gram eigenvalues of K/n against mu_k by degree (log-log slope of the mean "
             f"|deviation| in n: {c['slope']:.2f})", rows)]


def gram_plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import COLUMN_WIDTH, paper_style, save_figure

    ns, c = _gram_table(table)
    r = table.rows[0]
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        for k in range(c["mu"].size):
            ax.errorbar(ns, np.abs(c["deviation"][:, k]), yerr=c["se"][:, k], marker="o",
                        ms=3, lw=0.9, label=f"k = {k}")
        guide = np.abs(c["deviation"][0]).max() * ns[0] / ns
        ax.loglog(ns, guide, "k:", lw=0.8, label="1/n")
        ax.set(xlabel="points n", ylabel=r"|block mean / $\mu_k$ - 1|")
        ax.legend(fontsize=6, ncol=2)
    caption = (
        f"Eigenvalues of K/n for the limiting ReLU NTK (depth {r['depth']}, beta = "
        f"{r['beta']}) on n uniform points of S^{r['dim'] - 1} (norm sqrt(d)), grouped by the "
        f"degree k of the Mercer eigenvalue mu_k they estimate (N(d, k) each): relative "
        f"deviation of each block's mean from mu_k, mean +- SE over "
        f"{len(table.where(n=int(ns[0])))} seeds. Measured log-log slope of the mean "
        f"|deviation| against n: {c['slope']:.2f}; "
        f"Richardson limit 2 m(2n) - m(n) of the two largest n: largest |deviation| "
        f"{np.max(np.abs(c['limit_deviation'])):.1e}, largest z-score "
        f"{np.max(c['limit_z']):.2f}. Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_spectrum_gram", caption)]


def gram_setup(quick: bool) -> list[Param]:
    g, full = GRAM[quick], GRAM[False]
    return [
        Param.paper("beta (bias scale)", BETA, "Sec. 6"),
        Param.choice("kernel", f"limiting ReLU NTK, depth {GRAM_KERNEL['depth']}",
                     "Jacot et al. Thm 1; depth 3 as in the other checks of this section"),
        Param.choice("d", GRAM_KERNEL["dim"], "S^2: small blocks (2k + 1 eigenvalues per "
                     "degree), so that n covers several degrees"),
        Param.choice("n (points)", list(g["n"]), f"doubling, for the O(1/n) deviation and "
                     f"its Richardson limit (full mode {list(full['n'])})"),
        Param.choice("seeds", g["seeds"], f"for the Monte Carlo error (full mode "
                     f"{full['seeds']})"),
        Param.choice("degrees compared", f"0..{GRAM_DEGREES}", "blocks far from the top "
                     "of the list at every n"),
    ]


GRAM_EXPERIMENT = Experiment(
    name="jacot-spectrum-gram",
    paper=KEY,
    title="Gram eigenvalues on the sphere converge to the Mercer spectrum",
    claim=("The eigenvalues of K/n on n uniform points of the sphere estimate the Mercer "
           "eigenvalues mu_k, each N(d, k) times; the deviation is O(1/n)."),
    points=gram_points,
    compute=gram_compute,
    plot=gram_plot,
    tables=gram_tables,
    setup=gram_setup,
    full_time="about 15 min (10 seeds of eigvalsh at n = 4000, ~1 min each on a loaded CPU)",
)

EXPERIMENTS = [EXPERIMENT, GRAM_EXPERIMENT]
