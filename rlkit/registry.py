"""Name → factory look-up for agents; third-party packages plug in via entry points."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from rlkit.errors import ConfigError


def one_line(exc: BaseException) -> str:
    """``Type: message`` with newlines folded, so a plugin's failure fits the CLI's one error line."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


class Registry:
    """Maps names to factories. Entry points in ``group`` are loaded once, when a name is first missing."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind, self.group = kind, group
        self._factories: dict[str, Callable[..., Any]] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(factory: Callable[..., Any]) -> Callable[..., Any]:
            self._factories[name] = factory
            return factory

        return decorator

    def load_entry_points(self) -> None:
        """Import every installed plugin of this group; a plugin that fails names itself and its error."""
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=self.group):
            try:
                loaded = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import failure becomes one clear line
                raise ConfigError(f"{self.kind} plugin {ep.name!r} ({ep.value}) failed to import: "
                                  f"{one_line(exc)}") from exc
            if ep.name not in self._factories and callable(loaded):
                self._factories[ep.name] = loaded

    def names(self) -> list[str]:
        return sorted(self._factories)

    def get(self, name: str) -> Callable[..., Any]:
        if name not in self._factories:
            self.load_entry_points()
        if name not in self._factories:
            close = difflib.get_close_matches(name, self.names(), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ConfigError(f"{self.kind}={name}: unknown {self.kind}{hint}; known: {', '.join(self.names())}")
        return self._factories[name]

    def __contains__(self, name: str) -> bool:
        return name in self._factories
