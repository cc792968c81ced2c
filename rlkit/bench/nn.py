"""``python -m rlkit.bench nn``: forward+backward time of our explicit layers against PyTorch's native ones.

Both networks of a case get the same weights and the same batch. Each repeat times the explicit and the native
network back to back (their order alternating), so machine noise hits both alike; the reported ratio is the
median over repeats of the per-repeat ratio explicit/native, and the times are medians too. On CPU the thread
count is pinned (default 1). The results table replaces the "Backbone layers" section of docs/pages/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from rlkit.machine import cpu_name
from rlkit.nn import CNN, MLP

SECTION = "## Backbone layers (python -m rlkit.bench nn)"
NOTES = (
    "Where the time goes: an explicit MLP is one autograd node for the whole network (rlkit/nn/whole_mlp.py) "
    "where native records three per layer, and both run the same matrix products. At 64 wide every product "
    "is a few microseconds and what remains is Python: Function.apply, the Python backward call and its "
    "saved-tensor unpacking, about what native spends in its extra nodes. The CNNs materialise the patch "
    "matrix (unfold copies each input element up to kh·kw/stride² times) and run the fold loop, which "
    "PyTorch's oneDNN convolution avoids by convolving in place."
)
DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "pages" / "benchmarks.md"


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[str], nn.Module]  # impl -> network
    input_shape: tuple[int, ...]
    target: float  # the ratio explicit/native we aim to stay under (CPU)


CASES = (
    Case("MLP 3→64→64→1 tanh, batch 128", lambda impl: MLP(3, 1, (64, 64), "tanh", impl=impl), (128, 3), 0.95),
    Case("MLP 4→64→64→2 relu, batch 128", lambda impl: MLP(4, 2, (64, 64), impl=impl), (128, 4), 0.95),
    Case("MLP 17→256→256→6 relu, batch 256", lambda impl: MLP(17, 6, (256, 256), impl=impl), (256, 17), 1.02),
    Case("MLP 4→256→256→2, batch 256", lambda impl: MLP(4, 2, (256, 256), impl=impl), (256, 4), 1.02),
    Case("MLP (3+1)→400→300→1, batch 256", lambda impl: MLP(4, 1, (400, 300), impl=impl), (256, 4), 1.02),
    Case("nature CNN 4×84×84, batch 32", lambda impl: CNN("nature", (4, 84, 84), impl=impl),
         (32, 4, 84, 84), 1.25),
    Case("minatar CNN 4×10×10, batch 32", lambda impl: CNN("minatar", (4, 10, 10), impl=impl),
         (32, 4, 10, 10), 1.15),
)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _step(net: nn.Module, x: torch.Tensor, grad: torch.Tensor) -> None:
    """One forward+backward pass; gradients are dropped (set to None) as an optimiser step would."""
    for p in net.parameters():
        p.grad = None
    net(x).backward(grad)


def _time(net: nn.Module, x: torch.Tensor, grad: torch.Tensor, iters: int, device: torch.device) -> float:
    """Mean seconds per forward+backward over ``iters`` passes."""
    _sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        _step(net, x, grad)
    _sync(device)
    return (time.perf_counter() - start) / iters


def bench_case(case: Case, device: torch.device, repeats: int, min_time: float) -> dict[str, float]:
    """Median explicit and native times (ms) and the median paired ratio for one case."""
    torch.manual_seed(0)
    explicit = case.build("explicit").to(device)
    native = case.build("native").to(device)
    native.load_state_dict(explicit.state_dict())
    x = torch.randn(case.input_shape, device=device)
    with torch.no_grad():
        grad = torch.randn_like(explicit(x))
    for net in (explicit, native):  # warm-up: allocator, kernels, caches
        for _ in range(3):
            _step(net, x, grad)
    once = max(_time(explicit, x, grad, 1, device), _time(native, x, grad, 1, device))
    iters = max(1, round(min_time / max(once, 1e-6)))
    times: dict[str, list[float]] = {"explicit": [], "native": []}
    ratios = []
    for r in range(repeats):
        order = (("explicit", explicit), ("native", native))
        for name, net in order if r % 2 == 0 else order[::-1]:
            times[name].append(_time(net, x, grad, iters, device))
        ratios.append(times["explicit"][-1] / times["native"][-1])
    return {"explicit_ms": 1e3 * statistics.median(times["explicit"]),
            "native_ms": 1e3 * statistics.median(times["native"]), "ratio": statistics.median(ratios),
            "iters": iters}


def format_table(rows: list[tuple[str, str, dict[str, float], float]]) -> str:
    lines = ["| network | device | explicit (ms) | native (ms) | ratio explicit/native | CPU target |",
             "|---|---|---:|---:|---:|---:|"]
    for name, device, r, target in rows:
        lines.append(f"| {name} | {device} | {r['explicit_ms']:.3f} | {r['native_ms']:.3f} | "
                     f"{r['ratio']:.2f}× | ≤ {target:.2f}× |")
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    """Replace (or append) this benchmark's section of ``path``, leaving every other section untouched."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    if SECTION in lines:
        start = lines.index(SECTION)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        before, after = lines[:start], lines[end:]
    else:
        before, after = lines, []
    while before and not before[-1].strip():
        before.pop()
    new = before + ["", SECTION, "", body.strip(), ""] + ([""] + after if after else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(new).rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench nn", description=__doc__.splitlines()[0])
    arg = parser.add_argument
    arg("--device", action="append", choices=("cpu", "cuda"),
        help="repeatable; default: cpu, plus cuda when available")
    arg("--threads", type=int, default=1, help="torch.set_num_threads on CPU (default 1)")
    arg("--repeats", type=int, default=21, help="interleaved timings per impl (median taken)")
    arg("--min-time", type=float, default=0.1, help="seconds per timing (sets the iterations)")
    arg("--cases", default="", help="comma-separated substrings selecting cases (default all)")
    arg("--output", default=str(DEFAULT_OUTPUT), help="markdown file to update ('' = don't)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    devices = args.device or (["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"])
    wanted = [s.strip() for s in args.cases.split(",") if s.strip()]
    cases = [c for c in CASES if not wanted or any(w.lower() in c.name.lower() for w in wanted)]
    rows = []
    for dev in devices:
        device = torch.device(dev)
        label = f"cpu ({args.threads} thread{'s' if args.threads != 1 else ''})" if dev == "cpu" \
            else torch.cuda.get_device_name(device)
        for case in cases:
            result = bench_case(case, device, args.repeats, args.min_time)
            rows.append((case.name, label, result, case.target))
            print(f"{case.name:<34} {label:<16} explicit {result['explicit_ms']:8.3f} ms  "
                  f"native {result['native_ms']:8.3f} ms  ratio {result['ratio']:.2f}×", flush=True)
    table = format_table(rows)
    print()
    print(table)
    if args.output:
        body = (
            "Forward+backward time per batch, explicit (hand-written backward) vs native PyTorch layers, "
            f"measured in the same run and interleaved; medians over {args.repeats} repeats, "
            f"ratio = median of paired ratios. torch {torch.__version__}, {cpu_name()} "
            f"({os.cpu_count()} cores), threads pinned with `torch.set_num_threads({args.threads})`. "
            "On a shared machine the absolute times drift with load; the paired ratio is the number to "
            f"compare.\n\n{table}\n\n{NOTES}\n")
        write_section(Path(args.output), body)
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
