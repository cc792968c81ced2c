"""The interface every logger implements: scalar metrics keyed by namespaced names, at an env step."""

from __future__ import annotations

from pathlib import Path


class Logger:
    """Receives ``{"charts/episodic_return": 12.0, ...}`` at an env step; images and closing are optional."""

    def log(self, metrics: dict[str, float], step: int) -> None:
        raise NotImplementedError

    def log_image(self, key: str, path: Path, step: int) -> None:
        """Called once at the end with the learning-curve plot."""

    def log_video(self, key: str, path: Path, step: int) -> None:
        """Called with an MP4 of an evaluation episode when ``eval.video=true``."""

    def close(self) -> None:
        pass


class LoggerGroup(Logger):
    """Fans every call out to several loggers, so the trainer holds just one."""

    def __init__(self, loggers: list[Logger]) -> None:
        self.loggers = loggers

    def log(self, metrics: dict[str, float], step: int) -> None:
        for logger in self.loggers:
            logger.log(metrics, step)

    def log_image(self, key: str, path: Path, step: int) -> None:
        for logger in self.loggers:
            logger.log_image(key, path, step)

    def log_video(self, key: str, path: Path, step: int) -> None:
        for logger in self.loggers:
            logger.log_video(key, path, step)

    def close(self) -> None:
        for logger in self.loggers:
            logger.close()
