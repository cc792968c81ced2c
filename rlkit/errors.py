"""The one exception type for bad user input: the CLI prints its message on one line and exits non-zero."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A user-supplied value rlkit cannot accept; the message names the value and what would be accepted."""


class RunError(RuntimeError):
    """A run that cannot go on (a non-finite loss, an env that raised); the CLI prints it on one line, exit 1."""


class WriteError(RunError):
    """A file of the run could not be written: a full disk, an I/O error, a read-only file system, a quota.

    The message names the file and the reason in words (``no space left on device``); the trainer adds which
    checkpoint is intact."""

    def __init__(self, path: object, exc: OSError) -> None:
        self.path, self.errno = path, exc.errno
        reason = (exc.strerror or str(exc) or type(exc).__name__).lower()
        super().__init__(f"cannot write {path}: {reason}")


def error_line(message: object) -> str:
    """``rlkit: error: <message>`` as exactly one line, whatever characters a value brought into it."""
    text = str(message)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"rlkit: error: {text}"


def exit_on_error(main: Callable[..., T]) -> Callable[..., T]:
    """For the tools' ``main``: a ``ConfigError`` becomes one line ``rlkit: error: ...`` and exit 2."""

    @functools.wraps(main)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return main(*args, **kwargs)
        except ConfigError as exc:
            print(error_line(exc), file=sys.stderr)
            raise SystemExit(2) from None

    return wrapper
