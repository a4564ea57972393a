"""Agreement of kernelrich.stax with neural-tangents 0.6.5 on a broad set of architectures.

Every architecture below is built by the same function from either module (`build(stax)`),
so the comparison is the port a user would make by changing one import. Both libraries run in
float64, each in its own subprocess; neural-tangents in its own virtual environment (it does
not import on JAX >= 0.6). Create it once (docs/benchmarks_stax.md):

    python3.11 -m venv /tmp/ntk/venv
    /tmp/ntk/venv/bin/pip install "jax[cpu]==0.5.3" "jaxlib==0.5.3"
    /tmp/ntk/venv/bin/pip install --no-deps neural-tangents==0.6.5 tf2jax==0.3.7
    /tmp/ntk/venv/bin/pip install frozendict
    # neural_tangents/experimental imports TensorFlow (for its TF interop only): replace
    # site-packages/neural_tangents/experimental/__init__.py by an empty module

Usage: `.venv/bin/python bench/bench_stax_agreement.py [--nt-python PATH] [--only NAME]`.

For each architecture and kernel, the maximum relative difference max |K_ours - K_nt| /
max |K_nt| is reported on the symmetric Gram (x2 = None: its diagonal is the same-input
kernel) and on a cross Gram. Where the two differ by more than 1e-10, an independent
reference decides which is right: the dense joint-covariance recursion of
tests/_stax_reference.py (architectures of Dense, Conv, ReLU, pooling, Flatten, LayerNorm,
Dropout) or the adaptive 2-D quadrature of tests/_adaptive_gaussian.py (one hidden layer).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

NT_PYTHON = "/tmp/ntk/venv/bin/python"
ROOT = Path(__file__).resolve().parents[1]
W, B = 1.3, 0.2


def architectures(stax) -> dict:
    """name -> (input kind, (init_fn, apply_fn, kernel_fn)); the same code for both."""
    import jax.numpy as jnp
    import jax.scipy.special as jss

    def D(n, **kw):
        return stax.Dense(n, W_std=W, b_std=B, **kw)

    def C(n, f=(3, 3), **kw):
        return stax.Conv(n, f, W_std=W, b_std=B, **kw)

    def mlp(act, **kw):
        return stax.serial(D(16, **kw), act, D(16, **kw), act, D(1, **kw))

    def erf_nngp(c, v1, v2):
        return 2 / jnp.pi * jnp.arcsin(2 * c / jnp.sqrt((1 + 2 * v1) * (1 + 2 * v2)))

    wrn = stax.serial(stax.FanOut(2), stax.parallel(
        stax.serial(stax.Relu(), C(4, padding="SAME"), stax.Relu(), C(4, padding="SAME")),
        stax.Identity()), stax.FanInSum())
    return {
        "fc relu": ("fc", mlp(stax.Relu())),
        "fc relu, standard": ("fc", mlp(stax.Relu(), parameterization="standard")),
        "fc erf(0.7, 1.4, 0.2)": ("fc", mlp(stax.Erf(0.7, 1.4, 0.2))),
        "fc gelu": ("fc", mlp(stax.Gelu())),
        "fc leaky relu 0.1": ("fc", mlp(stax.LeakyRelu(0.1))),
        "fc abrelu(-0.4, 1.6)": ("fc", mlp(stax.ABRelu(-0.4, 1.6))),
        "fc abs": ("fc", mlp(stax.Abs())),
        "fc sign": ("fc", stax.serial(D(16), stax.Sign(), D(1))),
        "fc sin(1.1, 0.8, 0.3)": ("fc", mlp(stax.Sin(1.1, 0.8, 0.3))),
        "fc cos(0.9, 1.3, -0.2)": ("fc", mlp(stax.Cos(0.9, 1.3, -0.2))),
        "fc rbf(0.7)": ("fc", mlp(stax.Rbf(0.7))),
        "fc Elementwise(erf, nngp_fn)": ("fc", mlp(stax.Elementwise(jss.erf, erf_nngp))),
        "fc ElementwiseNumerical(tanh, 25)": (
            "fc big", stax.serial(D(16), stax.ElementwiseNumerical(jnp.tanh, 25), D(1))),
        "fc layer norm": ("fc", stax.serial(D(16), stax.LayerNorm(), stax.Relu(), D(1))),
        "fc dropout 0.8": ("fc", stax.serial(D(16), stax.Relu(), stax.Dropout(0.8), D(1))),
        "fc residual": ("fc", stax.serial(D(16), stax.FanOut(2), stax.parallel(
            stax.serial(stax.Relu(), D(16)), stax.Identity()), stax.FanInSum(), stax.Relu(),
            D(1))),
        "fc concat": ("fc", stax.serial(D(16), stax.Relu(), stax.FanOut(2), stax.parallel(
            D(3), stax.Dense(5, W_std=0.5, b_std=0.3)), stax.FanInConcat(), D(1))),
        "cnn valid, flatten": ("img", stax.serial(C(4), stax.Relu(), C(4), stax.Relu(),
                                                  stax.Flatten(), D(1))),
        "cnn same, global avg pool": ("img", stax.serial(
            C(4, padding="SAME"), stax.Erf(), C(4, padding="SAME"), stax.Relu(),
            stax.GlobalAvgPool(), D(1))),
        "cnn circular stride 2, avg pool": ("img", stax.serial(
            C(4, padding="CIRCULAR", strides=(2, 2)), stax.Gelu(), C(4, (2, 2), padding="SAME"),
            stax.Relu(), stax.AvgPool((2, 2), strides=(1, 1)), stax.Flatten(), D(1))),
        "cnn standard parameterisation": ("img", stax.serial(
            C(4, padding="SAME", parameterization="standard"), stax.Relu(),
            C(4, strides=(2, 1), parameterization="standard"), stax.Relu(), stax.GlobalSumPool(),
            D(1, parameterization="standard"))),
        "cnn 1-D": ("seq", stax.serial(C(4, (3,), padding="SAME"), stax.Relu(),
                                       C(4, (2,), strides=(2,)), stax.Abs(), stax.Flatten(),
                                       D(1))),
        "cnn sum pool, avg pool same": ("img", stax.serial(
            C(4), stax.Relu(), stax.SumPool((2, 2), padding="SAME"), C(4, (2, 2)), stax.Relu(),
            stax.AvgPool((2, 2), padding="SAME"), stax.GlobalAvgPool(), D(1))),
        "cnn avg pool normalize_edges": ("img", stax.serial(
            C(4, padding="SAME"), stax.Relu(),
            stax.AvgPool((3, 3), padding="SAME", normalize_edges=True), stax.Flatten(), D(1))),
        "wide resnet block, layer norm": ("img", stax.serial(
            C(4, padding="SAME"), wrn, stax.LayerNorm(axis=(1, 2, 3)), wrn, stax.Relu(),
            stax.GlobalAvgPool(), D(1))),
        "cnn dropout": ("img", stax.serial(C(4, padding="SAME"), stax.Relu(), stax.Dropout(0.7),
                                           C(4), stax.Relu(), stax.GlobalAvgPool(), D(1))),
        "cnn spatial output": ("img", stax.serial(C(4, padding="SAME"), stax.Relu(), C(4))),
        "myrtle-5, 8x8 digits": ("digits", myrtle(stax)),
    }


def myrtle(stax, width: int = 1):
    """The Myrtle-5 ReLU CNN (Shankar et al. 2020) on 8x8 inputs, global average pooling:
    conv-relu x 2, avg pool 2, conv-relu, avg pool 2, conv-relu, GAP, dense."""
    def conv():
        return stax.Conv(width, (3, 3), padding="SAME", W_std=math.sqrt(2.0), b_std=0.0)

    pool = stax.AvgPool((2, 2), strides=(2, 2))
    return stax.serial(conv(), stax.Relu(), conv(), stax.Relu(), pool, conv(), stax.Relu(),
                       pool, conv(), stax.Relu(), stax.GlobalAvgPool(),
                       stax.Dense(10, W_std=math.sqrt(2.0), b_std=0.0))


def inputs(kind: str, out: Path | None = None):
    """(x1, x2) of an input kind; the digits are read by the main process (scikit-learn is
    not in the baseline's environment) and passed to the workers in `out`."""
    import numpy as np

    rng = np.random.default_rng(0)
    if kind == "digits":
        path = (out or Path(".")) / "digits.npy"
        if not path.exists():
            from sklearn.datasets import load_digits

            np.save(path, load_digits().data[:9].reshape(9, 8, 8, 1) / 16.0)
        X = np.load(path)
        return X[:5], X[5:]
    shape = {"fc": (6,), "fc big": (6,), "img": (6, 6, 2), "seq": (9, 3)}[kind]
    scale = 5.0 if kind == "fc big" else 1.0
    return scale * rng.standard_normal((5,) + shape), scale * rng.standard_normal((4,) + shape)


def worker(which: str, out: Path, only: str | None) -> None:
    import numpy as np

    if which == "nt":
        import jax

        jax.config.update("jax_enable_x64", True)
        from neural_tangents import stax
    else:
        import kernelrich  # noqa: F401  (float64)
        from kernelrich import stax
    results, errors = {}, {}
    for name, (kind, (_, _, kernel_fn)) in architectures(stax).items():
        if only and name != only:
            continue
        x1, x2 = inputs(kind, out)
        try:
            for tag, other in [("sym", None), ("cross", x2)]:
                k = kernel_fn(x1, other, ("nngp", "ntk"))
                results[f"{name}|{tag}|nngp"] = np.asarray(k.nngp)
                results[f"{name}|{tag}|ntk"] = np.asarray(k.ntk)
        except Exception as err:  # reported, not hidden
            errors[name] = f"{type(err).__name__}: {str(err).splitlines()[0][:160]}"
    np.savez(out / f"{which}.npz", **{k.replace("|", "__"): v for k, v in results.items()})
    (out / f"{which}_errors.json").write_text(json.dumps(errors))


def reference(name: str, out: Path):
    """An independent route for the architectures that have one, else None."""
    sys.path.insert(0, str(ROOT / "tests"))
    from _stax_reference import Joint

    x1, _ = inputs(architectures_kinds()[name], out)
    if name == "fc relu":
        return Joint(x1).dense(W, B).relu().dense(W, B).relu().dense(W, B).kernels()
    if name == "fc dropout 0.8":
        return Joint(x1).dense(W, B).relu().dropout(0.8).dense(W, B).kernels()
    if name == "cnn valid, flatten":
        j = Joint(x1).conv((3, 3), (1, 1), "VALID", W, B).relu()
        return j.conv((3, 3), (1, 1), "VALID", W, B).relu().flatten().dense(W, B).kernels()
    if name == "cnn 1-D":
        j = Joint(x1).conv((3,), (1,), "SAME", W, B).relu()
        return j.conv((2,), (2,), "VALID", W, B).abs().flatten().dense(W, B).kernels()
    if name == "cnn dropout":
        j = Joint(x1).conv((3, 3), (1, 1), "SAME", W, B).relu().dropout(0.7)
        return j.conv((3, 3), (1, 1), "VALID", W, B).relu().global_avg_pool().dense(W, B)\
            .kernels()
    if name == "myrtle-5, 8x8 digits":
        r2 = math.sqrt(2.0)
        j = Joint(x1)
        for _ in range(2):
            j = j.conv((3, 3), (1, 1), "SAME", r2, 0.0).relu()
        j = j.pool((2, 2), (2, 2), "VALID").conv((3, 3), (1, 1), "SAME", r2, 0.0).relu()
        j = j.pool((2, 2), (2, 2), "VALID").conv((3, 3), (1, 1), "SAME", r2, 0.0).relu()
        return j.global_avg_pool().dense(r2, 0.0).kernels()
    if name == "fc ElementwiseNumerical(tanh, 25)":
        import numpy as np

        from _adaptive_gaussian import dual

        S = W ** 2 * x1 @ x1.T / x1.shape[1] + B ** 2
        E = np.array([[dual("tanh", S[i, i], S[j, j], S[i, j]) for j in range(len(S))]
                      for i in range(len(S))])
        nngp = W ** 2 * E[..., 0] + B ** 2
        return nngp, nngp + W ** 2 * S * E[..., 1]
    return None


def architectures_kinds() -> dict:
    class _Any:
        def __getattr__(self, name):
            return lambda *a, **k: (None, None, None)

    return {name: kind for name, (kind, _) in architectures(_Any()).items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nt-python", default=NT_PYTHON)
    parser.add_argument("--only")
    parser.add_argument("--out", default="/tmp/stax_agreement")
    parser.add_argument("--worker")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.worker:
        worker(args.worker, out, args.only)
        return
    only = ["--only", args.only] if args.only else []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    inputs("digits", out)
    for which, python in [("nt", args.nt_python), ("ours", sys.executable)]:
        subprocess.run([python, __file__, "--worker", which, "--out", str(out)] + only,
                       check=True, env=env, capture_output=True)
    compare(out)


def compare(out: Path) -> None:
    import numpy as np

    ours, theirs = np.load(out / "ours.npz"), np.load(out / "nt.npz")
    errors = {w: json.loads((out / f"{w}_errors.json").read_text()) for w in ("ours", "nt")}
    names = list(dict.fromkeys(k.split("__")[0] for k in list(ours.files) + list(theirs.files)))
    names += [n for w in errors.values() for n in w if n not in names]
    print("| architecture | kernel | symmetric Gram | cross Gram | verdict |")
    print("|---|---|---:|---:|---|")
    for name in names:
        if name in errors["ours"] or name in errors["nt"]:
            print(f"| {name} | | | | ours: {errors['ours'].get(name, 'ok')}; "
                  f"neural-tangents: {errors['nt'].get(name, 'ok')} |")
            continue
        ref = None
        for kernel in ("nngp", "ntk"):
            diffs = []
            for tag in ("sym", "cross"):
                a, b = ours[f"{name}__{tag}__{kernel}"], theirs[f"{name}__{tag}__{kernel}"]
                diffs.append(np.abs(a - b).max() / np.abs(b).max())
            verdict = "agree (1e-10)" if max(diffs) <= 1e-10 else "differ"
            if max(diffs) > 1e-10:
                ref = ref if ref is not None else reference(name, out)
                if ref is not None:
                    r = ref[0 if kernel == "nngp" else 1]
                    a, b = ours[f"{name}__sym__{kernel}"], theirs[f"{name}__sym__{kernel}"]
                    scale = np.abs(r).max()
                    verdict = (f"reference: ours {np.abs(a - r).max() / scale:.1e}, "
                               f"neural-tangents {np.abs(b - r).max() / scale:.1e}")
            print(f"| {name} | {kernel} | {diffs[0]:.1e} | {diffs[1]:.1e} | {verdict} |")


if __name__ == "__main__":
    main()
