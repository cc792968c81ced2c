"""rlkit: deep-RL agents (DQN, REINFORCE, actor-critic, DDPG) on gymnasium, built from hand-derived layers."""

__version__ = "0.1.0"
