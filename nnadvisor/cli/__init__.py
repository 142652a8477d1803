"""The command line: argv -> the command asked for -> the stage that does the work -> render -> exit code.

A single ``check`` or ``recommend`` is mostly start-up (budgets.md), so the command line does as
little as it can before the command runs:

- Only the command named by the first argument is imported and registered with typer. Each command
  lives in its own module (``cli/check.py``, ...) with ordinary, evaluated annotations: typer reads
  every parameter with ``inspect.signature`` and ``get_type_hints``, and postponed (string)
  annotations would be ``eval``'d one by one. Anything else (no arguments, ``--help``,
  ``--version``, an unknown command, shell completion) builds the whole application, so help and
  completion are those of the full command tree.
- Run as its own process (:func:`run`: the console script, ``python -m nnadvisor``), the cyclic
  garbage collector is paused while start-up imports modules and loads the rule base (it would
  scan the same young, long-lived objects over and over) and resumes before the command's real
  work (:func:`resume_gc`); and the process ends with ``os._exit`` once stdout and stderr are
  flushed and the ``atexit`` handlers have run, since tearing the interpreter down object by
  object costs more than a cached check. :func:`main` (tests, embedding) does neither.

Heavy imports happen inside the commands that need them; ``check`` and ``recommend`` never import
NumPy or rich.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import typer

COMMANDS = {"check": "check", "lint": "check", "rules": "rules", "explain": "explain", "recommend": "recommend", "demo": "demo", "schema": "schema"}
"""Each command and the module of ``nnadvisor.cli`` that defines it, in the order of ``--help``."""

_gc_paused = False


def build_app(only: str | None = None) -> typer.Typer:
    """The typer application: every command, or only the command ``only`` (plus the root options)."""
    import typer

    from nnadvisor.cli import common

    app = typer.Typer(
        name="nnadvisor",
        help="Recommends and lints a neural network's output activation, loss and optimizer.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(common.root)
    registered: set[str] = set()
    for name in COMMANDS if only is None else (only,):
        module = f"nnadvisor.cli.{COMMANDS[name]}"
        if module not in registered:
            registered.add(module)
            __import__(module)  # the import statement's machinery: seen by -X importtime
            sys.modules[module].register(app, None if only is None else name)
    return app


def _command(argv: list[str]) -> str | None:
    """The one command to build: the first argument, when it names a command and no shell
    completion is asked for; ``None`` (the whole application) otherwise."""
    if not argv or argv[0] not in COMMANDS:
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None
    return argv[0]


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole typer application, for tools that want the object
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resume_gc() -> None:
    """Resume the garbage collector paused by :func:`run`, before a command's real work (a
    directory of 10,000 files must not grow without bound). What start-up created is frozen: it
    lives as long as the process, so later collections need not scan it (nor touch, in forked
    workers, the pages they share with the parent)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    """Entry point: run the command line; no traceback ever reaches the user (NNADVISOR_DEBUG=1
    shows it). Ends with ``SystemExit`` carrying the exit code."""
    # The commands that build pydantic models (explain, rules validate, a first run) validate only
    # nnadvisor's own files; pydantic's plugin discovery scans every installed distribution's entry
    # points (10-20 ms), so it is off unless the user asks for it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    try:
        build_app(_command(sys.argv[1:]))()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("nnadvisor: interrupted\n")
        sys.exit(130)
    except OSError as exc:
        if exc.errno not in _FULL or os.environ.get("NNADVISOR_DEBUG"):
            _internal(exc)
        _cannot_write(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _internal(exc)


_FULL = {getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG") if hasattr(errno, name)}
"""A full disk or quota, a file too large: the user's environment, not nnadvisor's bug."""


def _cannot_write(exc: OSError) -> NoReturn:
    from nnadvisor.cli.common import EXIT_USAGE

    where = f" {exc.filename}" if exc.filename else " the output"
    sys.stderr.write(f"nnadvisor: error: cannot write{where}: {exc.strerror or exc}\n")
    sys.exit(EXIT_USAGE)


def _internal(exc: BaseException) -> NoReturn:
    if os.environ.get("NNADVISOR_DEBUG"):
        raise exc
    from nnadvisor.cli.common import EXIT_USAGE

    sys.stderr.write(f"nnadvisor: internal error: {type(exc).__name__}: {exc} (set NNADVISOR_DEBUG=1 for the traceback)\n")
    sys.exit(EXIT_USAGE)


def run() -> None:
    """The console script (and ``python -m nnadvisor``): :func:`main` in a process of its own."""
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, int):
        status = code
    elif code is None:
        status = 0
    else:  # as sys.exit does with a message
        sys.stderr.write(f"{code}\n")
        status = 1
    _exit(status)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter does not try the failed write again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _exit(status: int) -> None:
    """End the process without the interpreter's teardown, when nothing but that teardown is left:
    output flushed, ``atexit`` handlers run, no tracer or profiler (coverage) waiting for the
    normal exit. Otherwise (a flush fails: a closed pipe) exit normally, as before."""
    if sys.gettrace() is not None or sys.getprofile() is not None or "coverage" in sys.modules:
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError as exc:
        if exc.errno in _FULL:  # the output was buffered until now: say so, do not lose it silently
            _discard_stdout()
            try:
                _cannot_write(exc)
            except SystemExit:
                os._exit(2)
        sys.exit(status)
    except BaseException:  # noqa: BLE001 - let the normal exit report it
        sys.exit(status)
    import atexit

    atexit._run_exitfuncs()
    os._exit(status)
