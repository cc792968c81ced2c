"""metrics.csv: one row per logged step, one column per metric name (wide, so it opens as a table)."""

from __future__ import annotations

import csv
from pathlib import Path

from rlkit.loggers.base import Logger


class CSVLogger(Logger):
    """Appends rows; when a new metric name appears, the file is rewritten once with the wider header."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.columns: list[str] = ["env_step"]
        self.rows: list[dict[str, float]] = []
        self.file = self.path.open("w", newline="")
        self.writer = csv.DictWriter(self.file, fieldnames=self.columns)
        self.writer.writeheader()

    def log(self, metrics: dict[str, float], step: int) -> None:
        row = {"env_step": step, **metrics}
        self.rows.append(row)
        new = [key for key in metrics if key not in self.columns]
        if new:
            self.columns += new
            self.file.close()
            self.file = self.path.open("w", newline="")
            self.writer = csv.DictWriter(self.file, fieldnames=self.columns)
            self.writer.writeheader()
            self.writer.writerows(self.rows)
        else:
            self.writer.writerow(row)
        self.file.flush()

    def close(self) -> None:
        self.file.close()
