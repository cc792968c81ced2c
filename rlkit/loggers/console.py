"""Progress on the terminal: steps, steps/s, ETA and the latest returns, redrawn at most a few times a second."""

from __future__ import annotations

import sys
import time

from rlkit.loggers.base import Logger


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class ConsoleLogger(Logger):
    """A one-line progress bar on a terminal; plain lines every ``line_every`` seconds when output is a file."""

    def __init__(self, total_steps: int, stream=None, line_every: float = 10.0, start_step: int = 0) -> None:
        self.total_steps, self.start_step = total_steps, start_step  # a resumed run starts past 0
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.redraw_every = 0.25 if self.interactive else line_every
        self.start = time.perf_counter()
        self.last_draw = -float("inf")
        self.last_return: float | None = None
        self.last_eval: float | None = None

    def log(self, metrics: dict[str, float], step: int) -> None:
        self.last_return = metrics.get("charts/episodic_return", self.last_return)
        self.last_eval = metrics.get("eval/return_mean", self.last_eval)
        now = time.perf_counter()
        if (
            now - self.last_draw >= self.redraw_every
            or "eval/return_mean" in metrics
            or step >= self.total_steps
        ):
            self.last_draw = now
            self.draw(step, now - self.start)

    def draw(self, step: int, elapsed: float) -> None:
        frac = min(step / max(self.total_steps, 1), 1.0)
        sps = (step - self.start_step) / elapsed if elapsed > 0 else 0.0
        eta = (self.total_steps - step) / sps if sps > 0 else 0.0
        bar = "#" * int(frac * 24)
        parts = [
            f"[{bar:<24}] {step}/{self.total_steps}",
            f"{sps:.0f} steps/s",
            f"elapsed {format_seconds(elapsed)}",
            f"ETA {format_seconds(eta)}",
        ]
        if self.last_return is not None:
            parts.append(f"return {self.last_return:.1f}")
        if self.last_eval is not None:
            parts.append(f"eval {self.last_eval:.1f}")
        line = " | ".join(parts)
        if self.interactive:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
