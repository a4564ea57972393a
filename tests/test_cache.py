"""The persistent compilation cache (kernelrich._cache): a program loaded from it computes what
it computed when it was compiled."""

import os
import subprocess
import sys

import pytest

from kernelrich._cache import compilation_cache_dir, enable_compilation_cache

# A while loop with a traced trip count that draws random numbers: jax 0.6.0 compiles it
# correctly and loads it back from the cache as a program that skips the loop (returns 0.0).
_PROGRAM = """
import sys
import jax
from kernelrich import enable_compilation_cache
enable_compilation_cache(sys.argv[1])

@jax.jit
def walk(key, steps):
    def step(k, total):
        return total + jax.random.normal(jax.random.fold_in(key, k), ())
    return jax.lax.fori_loop(0, steps, step, 0.0)

print(repr(float(walk(jax.random.key(3), 6))))
"""


def test_a_cached_program_computes_what_it_computed_when_compiled(tmp_path):
    def run():
        out = subprocess.run([sys.executable, "-c", _PROGRAM, str(tmp_path / "cache")],
                             capture_output=True, text=True, check=True)
        return float(out.stdout.strip())

    compiled = run()
    assert any((tmp_path / "cache").iterdir()), "the first run wrote nothing to the cache"
    loaded = run()
    assert compiled != 0.0
    assert loaded == compiled


@pytest.mark.parametrize("value", ["off", "0", "None", " false "])
def test_the_environment_turns_the_cache_off(monkeypatch, value):
    monkeypatch.setenv("KERNELRICH_CACHE_DIR", value)
    assert compilation_cache_dir() is None
    assert enable_compilation_cache() is None


def test_the_environment_names_the_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("KERNELRICH_CACHE_DIR", str(tmp_path / "here"))
    assert compilation_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("KERNELRICH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compilation_cache_dir() == tmp_path / "xdg" / "kernelrich" / "jax"


_CLI = """
import os, sys
from kernelrich.cli import app
try:
    app(["list"], prog_name="kernelrich")
except SystemExit:
    pass
import diffrax, jax, jax.numpy as jnp
def solve(y0):
    return diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, a: -y), diffrax.Tsit5(), t0=0.0,
                               t1=1.0, dt0=None, y0=y0, throw=False,
                               saveat=diffrax.SaveAt(ts=jnp.array([0.5, 1.0])),
                               stepsize_controller=diffrax.PIDController(rtol=1e-6, atol=1e-8)).ys
print(os.environ.get("EQX_ON_ERROR"), "callback" in jax.jit(solve).lower(jnp.ones(2)).as_text())
"""


@pytest.mark.parametrize("chosen", [None, "raise"])
def test_the_command_line_keeps_solver_programs_cacheable(chosen):
    """The CLI sets EQX_ON_ERROR=nan (unless the user chose): equinox's checks are then not
    host callbacks, which JAX's persistent cache would refuse to store."""
    env = {k: v for k, v in os.environ.items() if k != "EQX_ON_ERROR"}
    if chosen:
        env["EQX_ON_ERROR"] = chosen
    out = subprocess.run([sys.executable, "-c", _CLI], capture_output=True, text=True,
                         check=True, env=env | {"KERNELRICH_CACHE_DIR": "off"})
    mode, callback = out.stdout.split()[-2:]
    assert (mode, callback) == (("nan", "False") if chosen is None else ("raise", "True"))
