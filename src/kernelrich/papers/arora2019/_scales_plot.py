"""The figures of `_scales` as the authors' notebook lays them out (plot.ipynb): Figure 1, a
grid of observation counts by depths, reconstruction error against ||W(0)||_F for each
learning rate; Figure 2, error / nuclear norm / effective rank by observation counts at
learning rate 1e-3, one curve per depth, the min-nuclear-norm solution and the ground
truth as horizontal lines. Captions state the numbers at the smallest init scale."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Figure, Table
from ...plotting import COLORS, PAGE_WIDTH, save_figure

QUANTITIES = [("error", "reconstruction error"), ("nuclear_norm", "nuclear norm"),
              ("effective_rank", "effective rank")]


def _x(row: dict) -> np.ndarray:
    """||W(0)||_F = sqrt(n) x init scale (the notebook's 10 x init_scale at n = 100)."""
    return np.sqrt(row["n"]) * np.asarray(row["scales"], dtype=float)


def _stats(row: dict, key: str, lr: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(row[key], dtype=float)[lr]
    return values.mean(axis=-1), values.std(axis=-1)


def _depth_rows(table: Table, m: int) -> list[dict]:
    return sorted((r for r in table.rows if r["m"] == m and r["method"] != "nuclear"),
                  key=lambda r: r["depth"])


def _nuclear(table: Table, m: int) -> dict | None:
    rows = table.where(m=m, method="nuclear").rows
    return rows[0] if rows else None


def figure1(table: Table, out_dir: Path, name: str, note: str) -> Figure:
    ms = table.unique("m")
    depths = sorted({r["depth"] for r in table.rows if r["method"] != "nuclear"})
    fig, axes = plt.subplots(len(ms), len(depths), squeeze=False, sharex=True,
                             figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.3 * len(ms)))
    words = []
    for i, m in enumerate(ms):
        nuc = _nuclear(table, m)
        for j, row in enumerate(_depth_rows(table, m)):
            ax = axes[i, j]
            ends = []
            for k, lr in enumerate(row["lrs"]):
                mean, std = _stats(row, "error", k)
                ax.errorbar(_x(row), mean, yerr=std, color=COLORS[3 * k % len(COLORS)],
                            marker="o^"[k % 2], linestyle="-:"[k % 2], label=f"lr = {lr:g}")
                ends.append(f"{mean[-1]:.2g} (lr {lr:g})")
            if nuc is not None:
                ax.axhline(nuc["error"], color="0.5", linestyle="--", label="min nuclear norm")
            ax.set(xscale="log", yscale="log", title=f"depth {row['depth']}, m = {m}")
            words.append(f"m = {m}, depth {row['depth']}: {', '.join(ends)}")
        axes[i, 0].set_ylabel("reconstruction error")
    for ax in axes[-1]:
        ax.set_xlabel(r"$\|W(0)\|_F$")
    axes[0, 0].legend()
    caption = (f"Figure 1 as in the authors' notebook: reconstruction error (mean over all "
               f"entries of (W - W*)^2) against ||W(0)||_F. At the smallest init scale the mean "
               f"error is {'; '.join(words)}; {_nuclear_words(table)}. {note}")
    return save_figure(fig, out_dir, name, caption)


def figure2(table: Table, out_dir: Path, name: str, note: str) -> Figure:
    ms = table.unique("m")
    fig, axes = plt.subplots(len(QUANTITIES), len(ms), squeeze=False, sharex=True,
                             figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.8))
    words = []
    for j, m in enumerate(ms):
        nuc = _nuclear(table, m)
        for color, row in zip(COLORS, _depth_rows(table, m), strict=False):
            for i, (key, _) in enumerate(QUANTITIES):
                mean, std = _stats(row, key, 0)
                axes[i, j].errorbar(_x(row), mean, yerr=std, color=color, marker="o",
                                    label=f"depth {row['depth']}")
            erank = _stats(row, "effective_rank", 0)[0][-1]
            words.append(f"m = {m}, depth {row['depth']}: {erank:.2f}")
        if nuc is not None:
            for i, (key, _) in enumerate(QUANTITIES):
                axes[i, j].axhline(nuc[key], color=COLORS[4], linewidth=2,
                                   label="min nuclear norm")
            for i, key in ((1, "truth_nuclear_norm"), (2, "truth_effective_rank")):
                axes[i, j].axhline(nuc[key], color=COLORS[5], linewidth=2, label="ground truth")
        axes[0, j].set(yscale="log", title=f"m = {m}")
        axes[-1, j].set_xlabel(r"$\|W(0)\|_F$")
        for i in range(len(QUANTITIES)):
            axes[i, j].set_xscale("log")
    for i, (_, label) in enumerate(QUANTITIES):
        axes[i, 0].set_ylabel(label)
    axes[-1, -1].legend(fontsize="small")
    lr = _depth_rows(table, ms[0])[0]["lrs"][0]
    truth = [f"{_nuclear(table, m)['truth_effective_rank']:.2f}" for m in ms
             if _nuclear(table, m)]
    caption = (f"Figure 2 as in the authors' notebook (lr = {lr:g}): reconstruction error, "
               f"nuclear norm and effective rank (exp of the entropy of sigma / sum sigma) "
               f"against ||W(0)||_F, mean +- std over repeats. Effective rank at the smallest "
               f"init scale: {'; '.join(words)} (ground truth {', '.join(sorted(set(truth)))}); "
               f"{_nuclear_words(table)}. {note}")
    return save_figure(fig, out_dir, name, caption)


def _nuclear_words(table: Table) -> str:
    rows = [r for r in table.rows if r["method"] == "nuclear"]
    return "min-nuclear-norm solution: " + "; ".join(
        f"m = {r['m']}: error {r['error']:.2g}, nuclear norm {r['nuclear_norm']:.4g} (truth "
        f"{r['truth_nuclear_norm']:.4g}), effective rank {r['effective_rank']:.2f}"
        for r in rows)
