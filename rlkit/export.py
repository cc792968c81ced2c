"""``python -m rlkit.export RUN_DIR --format onnx|torchscript --out FILE``: the acting network alone, for use
without rlkit.

The file maps a batch of observations (as the env gives them, preprocessing included: e.g. uint8 pixels are
scaled inside) to a batch of actions the env accepts: the argmax of Q for dqn, the actor's action for ddpg, the
most likely action for reinforce and ac. rlkit's explicit layers compute exactly what PyTorch's do (the test suite
checks it), so the exported graph is written with PyTorch's own ops, which every ONNX runtime knows.

    session = onnxruntime.InferenceSession("policy.onnx")
    actions = session.run(None, {"obs": obs_batch.astype("float32")})[0]

ONNX needs the ``[export]`` extra (onnx, onnxruntime to run it); TorchScript needs only torch.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import torch

from rlkit.errors import ConfigError, exit_on_error
from rlkit.policy import ActingNetwork, load, obs_tensor

FORMATS = ("onnx", "torchscript")


def as_native(network: torch.nn.Module) -> torch.nn.Module:
    """Every rlkit layer switched to PyTorch's op (same weights, same function), so exporters see plain ops."""
    for module in network.modules():
        if hasattr(module, "impl"):
            module.impl = "native"
    return network


def export(run_dir: str | Path, fmt: str, out: str | Path, which: str = "best") -> Path:
    """Write the acting network of ``run_dir``'s checkpoint ``which`` to ``out`` as ``fmt``; returns ``out``."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format={fmt}: one of {', '.join(FORMATS)}")
    policy = load(run_dir, which, device="cpu")
    network = as_native(ActingNetwork(policy.agent)).eval().requires_grad_(False)
    space = policy.observation_space
    example = obs_tensor(space.sample()[None].repeat(2, axis=0), space, torch.device("cpu"))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about Python values; the graph is checked in the tests
        if fmt == "torchscript":
            torch.jit.trace(network, example, check_trace=False).save(str(out))
        else:
            try:
                import onnx  # noqa: F401 - torch.onnx writes through it
            except ImportError:
                raise ConfigError("--format=onnx needs onnx: pip install 'rlkit[export]'") from None
            torch.onnx.export(network, (example,), str(out), input_names=["obs"], output_names=["action"],
                              dynamic_axes={"obs": {0: "batch"}, "action": {0: "batch"}}, dynamo=False)
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m rlkit.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="a run dir written by python -m rlkit, or a checkpoint file")
    parser.add_argument("--format", default="onnx", help="onnx (default) or torchscript")
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    parser.add_argument("--checkpoint", default="best", help="best (default), last, or a checkpoint file")
    args = parser.parse_args(argv)
    out = exit_on_error(export)(args.run_dir, args.format, args.out, args.checkpoint)
    print(f"wrote {out} ({args.format}): observations [batch, {', '.join(map(str, load_shape(args)))}] → actions")
    return out


def load_shape(args: argparse.Namespace) -> tuple[int, ...]:
    return tuple(load(args.run_dir, args.checkpoint).observation_space.shape)


if __name__ == "__main__":
    main()
