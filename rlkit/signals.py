"""Ctrl-C and SIGTERM: raised inside a training job, so the trainer saves before exiting; held back between the
in-process jobs of a sweep, where an exception raised inside Hydra's or a sweeper's bookkeeping (OmegaConf
objects half built, an Optuna study half written) would corrupt it instead of stopping it cleanly."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so the trainer saves before exiting (143 rather than Ctrl-C's 130)."""


class StopGate:
    """Where a stop signal may be raised. Before the first job of this process and inside a job it is raised at
    once; after a job, until the next one starts (a sweeper choosing its next trial), it waits for ``raise_pending``
    at the next safe point; so does one inside a ``held`` block of a job (OmegaConf writing the run's config). A
    second signal while one waits is raised at once, so a stop is never lost."""

    def __init__(self) -> None:
        self.in_job = False
        self.jobs_started = 0
        self.holding = 0
        self.pending: type[KeyboardInterrupt] | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)

    def on_signal(self, signum: int, frame: object) -> None:
        stop = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        if self.pending is not None:
            raise stop
        # Launchers that run jobs in other processes (joblib, Ray) never start one here: their waits stay interruptible.
        between_jobs = not self.in_job and self.jobs_started
        if not (self.holding or between_jobs):
            raise stop
        self.pending = stop
        print("\nrlkit: stopping once the config bookkeeping in progress is done", file=sys.stderr)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A block a stop must not cut in half (an OmegaConf object being built); a stop inside it is raised after."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding:
            self.raise_pending()

    def raise_pending(self) -> None:
        if self.pending is not None:
            stop, self.pending = self.pending, None
            raise stop

    def enter_job(self) -> None:
        self.raise_pending()
        self.jobs_started += 1
        self.in_job = True

    def leave_job(self) -> None:
        self.in_job = False


STOP_GATE = StopGate()
