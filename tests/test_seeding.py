"""Evaluation seeds: runs of different seeds are evaluated on start states of their own."""

from rlkit.schema import MAX_ENVS, MAX_SEED
from rlkit.seeding import evaluation_seed


def episode_seeds(seed: int, episodes: int = 10) -> set[int]:
    return {evaluation_seed(seed) + i for i in range(episodes)}


def test_neighbouring_seeds_share_no_evaluation_episode():
    # seed + 10000 gave seeds 20 and 21 nine of their ten episodes in common
    seen: set[int] = set()
    for seed in range(200):
        episodes = episode_seeds(seed)
        assert not episodes & seen, seed
        seen |= episodes


def test_evaluation_seed_is_fixed_by_the_run_seed_and_apart_from_training_seeds():
    assert evaluation_seed(7) == evaluation_seed(7)
    for seed in (0, 1, 12345, MAX_SEED):
        assert not episode_seeds(seed) & set(range(seed, seed + MAX_ENVS))


def test_every_evaluation_env_seed_is_in_numpy_range():
    for seed in (0, 1, 2**31, MAX_SEED):
        assert 0 <= evaluation_seed(seed) and evaluation_seed(seed) + MAX_ENVS < 2**32
