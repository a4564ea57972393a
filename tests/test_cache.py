"""The persistent compilation cache (kernelrich._cache): a program loaded from it computes what
it computed when it was compiled."""

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
