"""learning_curve.png: training episode returns and evaluation points against env steps."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO


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
