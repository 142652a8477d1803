"""nnadvisor: recommends and lints a network's output activation, loss and optimizer.

The Python API (``docs/api.md``)::

    import nnadvisor
    report = nnadvisor.check_model(model, loss=nn.CrossEntropyLoss(), optimizer=opt)
    report = nnadvisor.check("models/")              # files and directories, as the CLI
    report = nnadvisor.check_source(text, format="python")
    report = nnadvisor.check_config({"layers": [...], "loss": "mse"})
    rec = nnadvisor.recommend(task="multiclass", labels="integer")

``import nnadvisor`` loads nothing but this module: the functions are looked up on first use
(:pep:`562`), so a notebook or a CLI start pays only for what it calls, and NumPy and the ML
frameworks are never imported by nnadvisor at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nnadvisor.api import CheckOptions, UsageError, check, check_config, check_model, check_source, recommend
    from nnadvisor.findings import Finding, Report

__all__ = [
    "CheckOptions",
    "Finding",
    "Report",
    "UsageError",
    "__version__",
    "check",
    "check_config",
    "check_model",
    "check_source",
    "recommend",
]

_WHERE = {
    "check": "nnadvisor.api",
    "check_source": "nnadvisor.api",
    "check_config": "nnadvisor.api",
    "check_model": "nnadvisor.api",
    "recommend": "nnadvisor.api",
    "CheckOptions": "nnadvisor.api",
    "UsageError": "nnadvisor.api",
    "Finding": "nnadvisor.findings",
    "Report": "nnadvisor.findings",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'nnadvisor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nnadvisor``: the ``%nnadvisor`` line magic (:mod:`nnadvisor.magic`)."""
    from nnadvisor.magic import register

    register(ipython)
