"""rlkit's Adam is torch's Adam: same parameters after the same gradients, and its state round-trips."""

from __future__ import annotations

import torch

from rlkit.optim import Adam


def train(opt_factory, steps: int = 7) -> list[torch.Tensor]:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = opt_factory(net.parameters())
    x = torch.randn(16, 3)
    for _ in range(steps):
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()
    return [p.detach() for p in net.parameters()]


def test_matches_torch_adam():
    ours = train(lambda ps: Adam(ps, lr=0.01))
    reference = train(lambda ps: torch.optim.Adam(ps, lr=0.01))
    for a, b in zip(ours, reference, strict=True):
        assert torch.allclose(a, b, atol=1e-6)


def test_parameters_without_gradient_are_left_alone():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = Adam([a, b], lr=0.1)
    a.sum().backward()
    opt.step()
    assert not torch.equal(a, torch.ones(2)) and torch.equal(b, torch.ones(2))
    assert opt.steps[0].item() == 1 and opt.steps[1].item() == 0


def test_state_dict_round_trip_continues_identically():
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(4))
    opt = Adam([p], lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        p.pow(3).sum().backward()
        opt.step()
    q = torch.nn.Parameter(p.detach().clone())
    clone = Adam([q], lr=1.0)
    clone.load_state_dict(opt.state_dict())
    for param, o in ((p, opt), (q, clone)):
        o.zero_grad()
        param.pow(3).sum().backward()
        o.step()
    assert torch.equal(p, q) and clone.lr == 0.05


def foreach_adam(params, lr: float = 0.01) -> Adam:
    opt = Adam(params, lr=lr)
    opt.fused = False
    return opt


def test_foreach_path_matches_the_fused_kernel():
    fused = train(lambda ps: Adam(ps, lr=0.01), steps=50)
    foreach = train(foreach_adam, steps=50)
    for a, b in zip(fused, foreach, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_foreach_path_compiles_whole_and_matches_eager():
    def compiled(ps):
        opt = foreach_adam(ps)
        opt.step = torch.compile(opt.step, fullgraph=True)
        return opt

    for a, b in zip(train(foreach_adam), train(compiled), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
