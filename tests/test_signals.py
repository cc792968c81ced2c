"""The stop gate (rlkit/signals.py): stops raise inside a job, wait between in-process jobs, and are never lost."""

from __future__ import annotations

import signal

import pytest

from rlkit.signals import StopGate, Terminated


def test_a_stop_before_any_job_or_inside_one_is_raised_at_once():
    gate = StopGate()
    with pytest.raises(Terminated):
        gate.on_signal(signal.SIGTERM, None)
    gate.enter_job()
    with pytest.raises(KeyboardInterrupt) as caught:
        gate.on_signal(signal.SIGINT, None)
    assert not isinstance(caught.value, Terminated)


def test_a_stop_between_jobs_waits_for_the_next_job_and_a_second_stop_does_not():
    gate = StopGate()
    gate.enter_job()
    gate.leave_job()
    gate.on_signal(signal.SIGTERM, None)  # inside a sweeper's bookkeeping: held back
    with pytest.raises(KeyboardInterrupt):
        gate.on_signal(signal.SIGINT, None)  # pressed again: raised now
    with pytest.raises(Terminated):
        gate.enter_job()  # the held stop is raised where it is safe; the job never starts
    assert not gate.in_job
    gate.raise_pending()  # and only once


def test_a_stop_inside_a_held_block_of_a_job_is_raised_when_the_block_ends():
    gate = StopGate()
    gate.enter_job()
    finished = False
    with pytest.raises(Terminated):
        with gate.held():  # e.g. OmegaConf writing .hydra/config.yaml
            gate.on_signal(signal.SIGTERM, None)
            finished = True  # the block runs to its end
    assert finished
    with pytest.raises(KeyboardInterrupt):
        gate.on_signal(signal.SIGINT, None)  # outside the block: at once again
