"""learning_curve.png: training episode returns and evaluation points against env steps.

Importing matplotlib is about half a second of CPU, as much as everything else a short run adds to
``import torch``. So a run starts a plotting process at its beginning (``PlotWorker``; the CLI starts it before
it even imports torch): it imports matplotlib on another core while the run starts and trains, then waits for
the curve's data on its stdin and sends back the PNG. Where that process cannot be had or fails, the same
drawing runs in this process, as before. This file runs as that
process by its path, so the child imports matplotlib and the standard library, not rlkit or torch."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORKER_TIMEOUT_S = 60.0  # a drawing takes well under a second; past this the parent draws it itself
# this file run by path, with neither the working directory nor rlkit/ on sys.path (their modules could shadow
# the standard library's: rlkit/ holds signals.py, config.py, ...)
WORKER_COMMAND = "import runpy, sys; del sys.path[0]; runpy.run_path(sys.argv[1], run_name='__main__')"


def plot_learning_curve(
    path: Path | BinaryIO, episodes: list[tuple[int, float]], evals: list[tuple[int, float, float]], title: str
) -> None:
    """``episodes``: (env_step, return); ``evals``: (env_step, mean, std)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    if episodes:
        steps, returns = zip(*episodes, strict=True)
        ax.plot(steps, returns, ".", alpha=0.35, markersize=4, label="training episode")
        window = max(1, len(returns) // 20)
        if window > 1:
            smooth = [
                sum(returns[max(0, i - window + 1) : i + 1]) / len(returns[max(0, i - window + 1) : i + 1])
                for i in range(len(returns))
            ]
            ax.plot(steps, smooth, "-", linewidth=1.5, label=f"training (mean of {window})")
    if evals:
        steps, means, stds = zip(*evals, strict=True)
        ax.errorbar(
            steps, means, yerr=stds, fmt="o-", capsize=3, color="black", label="evaluation (deterministic)"
        )
    ax.set_xlabel("env steps")
    ax.set_ylabel("episodic return")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    plt.close(fig)


class PlotWorker:
    """A child process that has matplotlib imported by the time the run ends; ``render`` hands it the curve and
    gets the PNG's bytes back (the run writes them into its run dir itself, through its own atomic writer)."""

    def __init__(self) -> None:
        try:
            self.process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-c", WORKER_COMMAND, str(Path(__file__).resolve())], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:  # no process to be had (limits, a sandbox): draw in this process at the end
            self.process = None

    def render(self, episodes: list[tuple[int, float]], evals: list[tuple[int, float, float]], title: str) -> bytes:
        """The curve as PNG bytes, from the worker; from this process instead when the worker fails or is gone."""
        png = self._render_in_worker(episodes, evals, title) if self.process is not None else None
        if png is None:
            buffer = io.BytesIO()
            plot_learning_curve(buffer, episodes, evals, title)
            png = buffer.getvalue()
        return png

    def _render_in_worker(self, episodes, evals, title: str) -> bytes | None:
        data = {"episodes": episodes, "evals": evals, "title": title}
        try:
            png, _ = self.process.communicate(json.dumps(data).encode(), timeout=WORKER_TIMEOUT_S)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.close()
            return None
        return png if self.process.returncode == 0 and png.startswith(PNG_SIGNATURE) else None

    def close(self) -> None:
        """End the worker without a plot (a failed or stopped run)."""
        if self.process is not None and self.process.returncode is None:
            try:
                self.process.kill()
                self.process.wait()
            except OSError:
                pass


_prestarted: PlotWorker | None = None


NOT_ONE_RUN = ("-m", "--multirun", "--cfg", "-c", "--info", "--hydra-help")  # sweeps, config prints: no prestart


def prestart_worker(argv: list[str]) -> None:
    """For a command line that trains one run here: start the worker now, for that run to take (the CLI calls it
    first thing, so matplotlib's import runs beside ``import torch`` and Hydra's composing, not after them)."""
    global _prestarted
    if _prestarted is None and not any(arg in NOT_ONE_RUN for arg in argv):
        _prestarted = PlotWorker()


def take_worker() -> PlotWorker:
    """The prestarted worker if there is one (once), else a new one: each run gets its own."""
    global _prestarted
    worker, _prestarted = _prestarted or PlotWorker(), None
    return worker


def serve() -> None:
    """The worker: import matplotlib now, then draw the curve read from stdin onto stdout; no input, no plot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (the import is what the worker is for)

    raw = sys.stdin.buffer.read()
    if not raw:
        return
    data = json.loads(raw)
    buffer = io.BytesIO()
    plot_learning_curve(buffer, [tuple(e) for e in data["episodes"]], [tuple(e) for e in data["evals"]],
                        data["title"])
    sys.stdout.buffer.write(buffer.getvalue())


if __name__ == "__main__":
    serve()
