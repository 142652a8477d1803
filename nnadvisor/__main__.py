"""`python -m nnadvisor`."""

from nnadvisor.cli import main

main()
