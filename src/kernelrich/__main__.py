"""`python -m kernelrich`: the command-line interface (as the `kernelrich` command)."""

from kernelrich.cli import app

app(prog_name="kernelrich")
