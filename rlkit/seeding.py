"""Where a run's evaluation episodes start: a seed drawn from the run's seed, not added to it.

Evaluation env ``i`` is reset with ``evaluation_seed(seed) + i`` at every evaluation, so a run's evaluations all
play the same start states. The base is hashed from the run seed (NumPy's ``SeedSequence``) because an offset
(``seed + 10000`` until 2026-12) gave runs of neighbouring seeds 9 of their 10 evaluation episodes in common:
ddpg Pendulum seeds 20–29 all met the same slow swing-ups, and a sweep's final scores were not the independent
draws that rliable's intervals in ``rlkit.report`` take them for. Training envs keep ``seed + i``.
"""

from __future__ import annotations

import numpy as np

EVALUATION_STREAM = 1  # SeedSequence spawn key of the evaluation stream; 0 is left for any later training stream


def evaluation_seed(seed: int) -> int:
    """The first evaluation env's seed for a run of ``seed``: below 2**31, so ``+ i`` for any number of evaluation
    envs stays in NumPy's seed range (below 2**32)."""
    (state,) = np.random.SeedSequence(seed, spawn_key=(EVALUATION_STREAM,)).generate_state(1)
    return int(state) >> 1
