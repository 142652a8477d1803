"""`python -m nnadvisor`."""

from nnadvisor.cli import run

run()
