"""The typed configuration: every key rlkit reads, its type, what values it accepts and what it means.

One source of truth: ``validate`` checks a composed config against it before any work starts, and the docs'
configuration reference is generated from ``TOP_KEYS`` and ``AGENT_KEYS``. Agent options are the agent's
constructor keyword arguments (a plugin agent's too); their types come from its annotations and their accepted
ranges from ``AGENT_KEYS`` by name, so a new agent using a known name (``gamma``, ``lr``, ...) is checked for free.

Every failure is one ``ConfigError`` line: ``<key>=<value>: <what is accepted>``.
"""

from __future__ import annotations

import difflib
import inspect
import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rlkit.agents.noise import NOISE_TYPES
from rlkit.errors import ConfigError
from rlkit.nn.backbones import ENCODERS


@dataclass(frozen=True)
class Rule:
    """An accepted set of values: ``test(value)`` is True for them; ``accepts`` says which in words."""

    test: Callable[[Any], bool]
    accepts: str


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


POSITIVE_INT = Rule(lambda v: _integer(v) and v > 0, "a positive integer")
NONNEGATIVE_INT = Rule(lambda v: _integer(v) and v >= 0, "an integer ≥ 0")
POSITIVE = Rule(lambda v: _number(v) and v > 0, "a number > 0")
NONNEGATIVE = Rule(lambda v: _number(v) and v >= 0, "a number ≥ 0")
NUMBER = Rule(_number, "a finite number")
DISCOUNT = Rule(lambda v: _number(v) and 0 < v <= 1, "a number in (0, 1]")
PROBABILITY = Rule(lambda v: _number(v) and 0 <= v <= 1, "a number in [0, 1]")
BOOL = Rule(lambda v: isinstance(v, bool), "true or false")
STRING = Rule(lambda v: isinstance(v, str) and v != "", "a non-empty string")
MAPPING = Rule(lambda v: isinstance(v, dict), "a mapping")
WIDTHS = Rule(lambda v: isinstance(v, list | tuple) and all(_integer(h) and h > 0 for h in v),
              "a list of positive integers, e.g. [64,64]")


def one_of(*choices: str) -> Rule:
    return Rule(lambda v: v in choices, "one of " + ", ".join(choices))


def optional(rule: Rule) -> Rule:
    return Rule(lambda v: v is None or rule.test(v), f"null or {rule.accepts}")


MAX_ENVS = 4096  # envs in one process, stepped side by side; more is a mistyped number, not a bigger machine
# NumPy's global seed is below 2**32, and training env i is seeded with seed + i.
MAX_SEED = 2**32 - 1 - MAX_ENVS
SEED = Rule(lambda v: _integer(v) and 0 <= v <= MAX_SEED, f"an integer from 0 to {MAX_SEED} (NumPy's seed range, "
            f"less one per env, at most {MAX_ENVS})")
ENV_COUNT = Rule(lambda v: _integer(v) and 0 < v <= MAX_ENVS, f"a positive integer, at most {MAX_ENVS}")
MAX_THREADS = 1024
DEVICE = Rule(lambda v: isinstance(v, str) and (v in ("auto", "cpu", "cuda") or
                                                (v.startswith("cuda:") and v[5:].isdigit())),
              "one of auto, cpu, cuda, cuda:N")
THREADS = Rule(lambda v: v == "auto" or (_integer(v) and 0 < v <= MAX_THREADS),
               f"a positive integer (at most {MAX_THREADS}) or auto")
RESUME = Rule(lambda v: isinstance(v, bool) or (isinstance(v, str) and v != ""),
              "true, false, auto or the path of a run dir to continue")


@dataclass(frozen=True)
class Key:
    """One configuration key: dotted path, accepted values, default (as in conf/) and meaning."""

    path: str
    rule: Rule
    doc: str


TOP_KEYS: tuple[Key, ...] = (
    Key("seed", SEED, "seeds python, numpy, torch and the envs (eval envs: rlkit/seeding.py)"),
    Key("total_steps", POSITIVE_INT, "env steps, summed over the vector envs; raise it on resume to extend a run"),
    Key("num_envs", ENV_COUNT, f"copies of the env stepped together (SyncVectorEnv), at most {MAX_ENVS}"),
    Key("device", DEVICE, "auto (CUDA when present), cpu, cuda, cuda:N"),
    Key("threads", THREADS, "torch intra-op threads; 1 is fastest for small networks on a few cores; auto: this "
        "job's share of the cores, max(1, cores // jobs run side by side by the launcher)"),
    Key("compile", BOOL, "each agent's update step through torch.compile (CPU and CUDA)"),
    Key("cudagraphs", BOOL, "CUDA only: compile with CUDA graphs (mode reduce-overhead), the update replayed whole"),
    Key("resume", RESUME, "true: continue the run in hydra.run.dir; a path: continue that run dir; auto: continue "
        "the run dir's run if it has a checkpoint, skip it if it finished, else start it (sweeps run again)"),
    Key("overwrite", BOOL, "true: a fresh run (resume=false) into a run dir that holds an earlier run replaces it "
        "(its checkpoints, metrics and summary); false: it refuses, naming resume=true and hydra.run.dir"),
    Key("objective", one_of("none", "final", "auc"), "what a run returns to a sweeper: none (the summary; final "
        "under Optuna), final (the last eval return), auc (eval curve area / its length in env steps)"),
    Key("log_every", POSITIVE_INT, "env steps between logs of losses and steps/s"),
    Key("preset", STRING, "which tuned preset of agents_zoo/ applies: default (the pair's own file, else its "
        "namespace's family file), none, or a named variant NAME (agents_zoo/<agent>/<env>/NAME.yaml)"),
    Key("preset_file", optional(STRING), "resolved, not to be set: the preset file applied (agents_zoo/...yaml), "
        "null for none; recorded in .hydra/config.yaml"),
    Key("eval.every", POSITIVE_INT, "env steps between deterministic evaluations (the last step always is one)"),
    Key("eval.episodes", ENV_COUNT, f"episodes per evaluation, run side by side (at most {MAX_ENVS})"),
    Key("eval.video", BOOL, "film one evaluation episode per evaluation into videos/ (the [video] extra)"),
    Key("checkpoint.every", POSITIVE_INT, "env steps between saves of checkpoints/last.pt"),
    Key("agent.name", STRING, "agent name: dqn, reinforce, ac, ddpg, td3 or a plugin's"),
    Key("env.id", STRING, "env id: a gymnasium id, module:EnvId, or a plugin's"),
    Key("env.kwargs", MAPPING, "the env's constructor arguments (++env.kwargs.<arg>=... for any)"),
    Key("env.max_episode_steps", optional(POSITIVE_INT), "time limit; null: the one the id was registered with"),
    Key("env.check", BOOL, "run gymnasium's env checker on a fresh env before training"),
    Key("env.preprocess", one_of("auto", "none", "minatar", "atari"),
        "wrappers around each env: auto (by the id's namespace) | none | minatar | atari"),
    Key("network.encoder", one_of(*ENCODERS),
        "observation encoder: auto (flat for vectors, minatar CNN ≤ 16×16, nature CNN for 84×84) | flat | minatar | "
        "nature"),
    Key("network.hidden", WIDTHS, "hidden-layer widths of the MLPs"),
    Key("network.activation", one_of("relu", "tanh"), "activation after every hidden layer"),
    Key("network.impl", one_of("explicit", "native"), "explicit: rlkit's hand-derived layers; native: PyTorch's"),
    Key("logger", MAPPING, "extra logging backends, one sub-key each: logger=wandb, logger=tensorboard"),
)

# Agent options by name: the accepted values of each known option, whichever agent takes it.
AGENT_KEYS: dict[str, Key] = {k.path: k for k in (
    Key("gamma", DISCOUNT, "discount factor γ"),
    Key("lr", POSITIVE, "learning rate (Adam step size)"),
    Key("actor_lr", POSITIVE, "actor learning rate β (Adam step size)"),
    Key("critic_lr", POSITIVE, "critic learning rate α (Adam step size)"),
    Key("value_lr", POSITIVE, "learning rate of the value baseline V(s)"),
    Key("value_steps", POSITIVE_INT, "gradient steps on V(s) per update, each on the whole batch"),
    Key("tau", DISCOUNT, "target-network update weight: 1 a hard copy, < 1 Polyak averaging"),
    Key("batch_size", POSITIVE_INT, "minibatch size (at most buffer_size)"),
    Key("buffer_size", POSITIVE_INT, "replay buffer capacity in transitions"),
    Key("learning_starts", NONNEGATIVE_INT, "env steps of experience collected before the first update"),
    Key("train_freq", POSITIVE_INT, "vector steps between updates"),
    Key("gradient_steps", POSITIVE_INT, "gradient steps per update"),
    Key("target_update_interval", POSITIVE_INT, "gradient steps between target-network updates"),
    Key("exploration_steps", POSITIVE_INT, "env steps over which ε anneals from epsilon_start to epsilon_end"),
    Key("epsilon_start", PROBABILITY, "initial ε of ε-greedy exploration"),
    Key("epsilon_end", PROBABILITY, "final ε of ε-greedy exploration"),
    Key("exploration_noise", NONNEGATIVE, "σ of the action noise (Gaussian, or the OU process's), as a fraction of the "
        "action range's half-width"),
    Key("twin_critics", BOOL, "ddpg/td3: two critics, each learning toward y = r + γ·(1 − terminated)·min(q₁′, q₂′)"
        "(s′, ã′) (clipped double Q, against the overestimation the actor's climb gives one critic); false: one"),
    Key("target_policy_noise", NONNEGATIVE, "ddpg/td3: σ̃ of the Gaussian noise added to the target action, "
        "ã′ = clip(π′(s′) + clip(ε, −c, c), low, high), ε ~ N(0, σ̃²), in units of the action half-range; 0: none"),
    Key("target_noise_clip", NONNEGATIVE, "ddpg/td3: c, the bound of that noise, in units of the action half-range"),
    Key("policy_delay", POSITIVE_INT, "ddpg/td3: critic updates per actor and target-network update; 1: every one"),
    Key("noise_type", one_of(*NOISE_TYPES), "ddpg/td3's exploration noise: gaussian (independent draws) | ou "
        "(Ornstein–Uhlenbeck, correlated in time)"),
    Key("ou_theta", POSITIVE, "mean-reversion rate θ of the OU noise"),
    Key("ou_dt", POSITIVE, "time step dt of the OU noise: x ← x − θx·dt + σ√dt·N(0,1)"),
    Key("normalize_obs", BOOL, "feed the networks observations normalised by their running mean and std "
        "(vector observations; statistics saved in checkpoints)"),
    Key("normalize_obs_steps", optional(POSITIVE_INT), "env steps over which the normalisation's statistics are "
        "updated, fixed after; null: updated throughout"),
    Key("lr_decay_steps", optional(POSITIVE_INT), "env steps over which every learning rate falls linearly to 0; "
        "null: constant"),
    Key("rollout_steps", POSITIVE_INT, "vector steps between updates (every finished episode is used once)"),
    Key("n_steps", POSITIVE_INT, "vector steps per update"),
    Key("entropy_coef", NONNEGATIVE, "weight of the entropy bonus"),
    Key("max_grad_norm", optional(POSITIVE), "clip the gradient norm; null: no clipping"),
    Key("log_std_init", Rule(lambda v: _number(v) and -20 <= v <= 20, "a number in [-20, 20]"),
        "initial log σ of the Gaussian policy (Box actions)"),
    Key("double", BOOL, "double-DQN target"),
    Key("td_steps", POSITIVE_INT, "rewards summed in dqn's TD target before it bootstraps (n-step target: "
        "y = Σ_{i<n} γ^i·r_{t+i} + γ^n·max_a Q(s_{t+n}, a; w⁻)); 1: the one-step target"),
    Key("prioritized", BOOL, "prioritised replay: rows drawn in proportion to (|δ| + ε)^α, their loss weighted "
        "by (N·P(i))^−β (rlkit/prioritized.py); false: uniform"),
    Key("priority_alpha", NONNEGATIVE, "α of prioritised replay: 0 uniform, 1 fully proportional to |δ|"),
    Key("priority_beta", PROBABILITY, "β of the importance weights at the start (1: the bias fully undone)"),
    Key("priority_beta_steps", optional(POSITIVE_INT), "env steps over which β rises linearly to 1; null: "
        "it stays at priority_beta"),
    Key("nstep", BOOL, "n-step targets to the rollout's end"),
    Key("loss", one_of("mse", "huber"), "dqn's TD loss: ½ squared error or Huber"),
    Key("baseline", one_of("none", "standardize", "time", "value"), "reinforce's baseline"),
    Key("advantage", one_of("q", "baseline", "target"), "ac's advantage estimate"),
    Key("normalize_advantage", BOOL, "ac: the actor's advantages shifted and scaled to mean 0, std 1 over each "
        "update's batch"),
)}

# Keys whose contents are free-form (checked by their consumer): env constructor arguments, logger settings.
FREE_FORM = ("env.kwargs", "logger")


def get(cfg: dict[str, Any], path: str) -> Any:
    value: Any = cfg
    for part in path.split("."):
        value = value[part]
    return value


def fail(path: str, value: Any, accepts: str) -> None:
    raise ConfigError(f"{path}={format_value(value)}: {accepts}")


def format_value(value: Any, limit: int = 300) -> str:
    """A value as the user typed it, on one line: control characters escaped, a very long string shortened."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    text = value if isinstance(value, str) else repr(value)
    if not text.isprintable():
        text = repr(text)[1:-1]  # a newline inside a value would break the one error line
    if len(text) > limit:
        text = f"{text[: limit - 40]}...({len(text)} characters)"
    return text


def check_known(mapping: dict[str, Any], known: list[str], prefix: str) -> None:
    """Every key of ``mapping`` must be in ``known``; else name it with the closest known keys."""
    for name in mapping:
        if name not in known:
            path = prefix + name
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(prefix + c for c in close)}? " if close else ""
            raise ConfigError(f"{path}={format_value(mapping[name])}: unknown key; {hint}"
                              f"known keys here: {', '.join(prefix + k for k in sorted(known))}")


def type_rule(annotation: Any) -> Rule | None:
    """A rule from a constructor annotation (int, float, bool, str, optional forms); None when unchecked."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        base = type_rule(inner[0]) if len(inner) == 1 else None
        return optional(base) if base else None
    return {int: Rule(_integer, "an integer"), float: NUMBER, bool: BOOL,
            str: Rule(lambda v: isinstance(v, str), "a string")}.get(annotation)


def agent_parameters(factory: Callable[..., Any]) -> dict[str, Any] | None:
    """Keyword options of an agent factory with their annotations; None when it takes ``**kwargs``."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    params = inspect.signature(target).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # noqa: BLE001 - a plugin's unresolvable annotation just goes unchecked
        hints = {}
    skip = {"self", "observation_space", "action_space", "device", "network"}
    return {name: hints.get(name) for name in params if name not in skip}


def validate_agent(options: dict[str, Any], factory: Callable[..., Any]) -> None:
    """agent.* against the agent's constructor: known names, types, ranges, batch ≤ buffer."""
    params = agent_parameters(factory)
    if params is not None:
        check_known(options, [*params, "name"], "agent.")
    for name, value in options.items():
        if name == "name":
            continue
        rules = [r for r in (type_rule(params.get(name)) if params else None,
                             AGENT_KEYS[name].rule if name in AGENT_KEYS else None) if r is not None]
        for rule in rules:
            if not rule.test(value):
                fail(f"agent.{name}", value, rule.accepts)
    batch, buffer = options.get("batch_size"), options.get("buffer_size")
    if _integer(batch) and _integer(buffer) and batch > buffer:
        fail("agent.batch_size", batch, f"at most agent.buffer_size={buffer}")


def validate(cfg: dict[str, Any], agent_factory: Callable[..., Any] | None = None) -> None:
    """Check a composed, resolved config; raise ``ConfigError`` on the first bad key (one line)."""
    sections: dict[str, list[str]] = {"": []}
    for key in TOP_KEYS:
        head, _, tail = key.path.partition(".")
        if tail:
            sections.setdefault(head, []).append(tail)
        sections[""].append(head)
    check_known(cfg, sorted(set(sections[""])), "")
    for section, names in sections.items():
        if section and section not in ("agent", "logger") and isinstance(cfg.get(section), dict):
            check_known(cfg[section], names, section + ".")
    for key in TOP_KEYS:
        try:
            value = get(cfg, key.path)
        except (KeyError, TypeError):
            raise ConfigError(f"{key.path}: missing; expected {key.rule.accepts}") from None
        if not key.rule.test(value):
            fail(key.path, value, key.rule.accepts)
    if agent_factory is not None:
        validate_agent(cfg["agent"], agent_factory)
