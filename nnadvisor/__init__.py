"""nnadvisor: recommends and lints a network's output activation, loss and optimizer."""

__version__ = "0.1.0"
