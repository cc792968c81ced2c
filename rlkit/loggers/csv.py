"""metrics.csv: one row per logged step, one column per metric name (wide, so it opens as a table)."""

from __future__ import annotations

import csv
from pathlib import Path

from rlkit.checkpoint import atomic_file, open_append
from rlkit.errors import WriteError
from rlkit.loggers.base import Logger


def read_rows(path: Path, up_to_step: int) -> tuple[list[str], list[dict[str, str]]]:
    """The rows of an existing metrics.csv logged at env steps ≤ ``up_to_step``, and the columns they use.

    A last line without its newline is the half-written row of a killed run and is dropped.
    """
    if not path.exists():
        return ["env_step"], []
    text = path.read_text()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    reader = csv.DictReader(text.splitlines())
    rows = [row for row in reader if row.get("env_step") and int(row["env_step"]) <= up_to_step]
    header = reader.fieldnames or ["env_step"]
    columns = [c for c in header if c == "env_step" or any(row.get(c) for row in rows)]
    return columns, [{k: v for k, v in row.items() if k in columns and v != ""} for row in rows]


class CSVLogger(Logger):
    """Appends rows; when a new metric name appears, the file is rewritten once with the wider header.

    Rewrites go through a temporary file and a rename, so a killed run never leaves a truncated file. With
    ``resume_step`` the file of the interrupted run is kept up to that env step and continued.
    """

    def __init__(self, path: Path, resume_step: int | None = None) -> None:
        self.path = Path(path)
        self.columns: list[str] = ["env_step"]
        self.rows: list[dict] = []
        if resume_step is not None:
            self.columns, self.rows = read_rows(self.path, resume_step)
        self.rewrite()

    def rewrite(self) -> None:
        with atomic_file(self.path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns)
            writer.writeheader()
            writer.writerows(self.rows)
        self.file = open_append(self.path, newline="")
        self.writer = csv.DictWriter(self.file, fieldnames=self.columns)

    def log(self, metrics: dict[str, float], step: int) -> None:
        row = {"env_step": step, **metrics}
        self.rows.append(row)
        new = [key for key in metrics if key not in self.columns]
        try:
            if new:
                self.columns += new
                self.file.close()
                self.rewrite()
            else:
                self.writer.writerow(row)
                self.file.flush()
        except OSError as exc:  # a full disk, an I/O error: a half row is dropped on resume (read_rows)
            raise WriteError(self.path, exc) from None

    def close(self) -> None:
        try:
            self.file.close()
        except OSError as exc:
            raise WriteError(self.path, exc) from None
