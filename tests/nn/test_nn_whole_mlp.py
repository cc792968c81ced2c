"""rlkit.nn.whole_mlp: backprop through the whole MLP as one autograd node — gradcheck in float64, agreement
with native layers, only the gradients asked for, and the same parameters and state dict as the layer modules."""

import copy
import itertools

import pytest
import torch

from rlkit.nn import MLP
from rlkit.nn import whole_mlp as WM

# (in, hidden, out), input shape's leading dims: odd widths, no hidden layer, batch 1, no batch, (T, N)
SHAPES = [(3, (5, 7), 2), (4, (), 3), (1, (6,), 1), (5, (9, 4, 3), 6)]
LEADS = [(1,), (5,), (), (2, 3)]
ACTS = [("relu", None), ("tanh", "tanh"), ("relu", "tanh"), ("tanh", "relu")]
GRID = [(s, lead, a) for (s, lead), a in zip(itertools.product(SHAPES, LEADS), itertools.cycle(ACTS))]


def _mlp(shape, activation, out_activation, impl="explicit", dtype=torch.float32):
    torch.manual_seed(0)
    in_dim, hidden, out_dim = shape
    return MLP(in_dim, out_dim, hidden, activation, out_activation, impl=impl).to(dtype)


@pytest.mark.parametrize("shape,lead,acts", GRID)
def test_whole_mlp_gradcheck(shape, lead, acts) -> None:
    net = _mlp(shape, *acts, dtype=torch.float64)
    x = torch.randn(*lead, shape[0], dtype=torch.float64, requires_grad=True)
    params = tuple(net.parameters())
    assert torch.autograd.gradcheck(lambda x, *p: WM.whole_mlp(x, p, *acts), (x, *params))


@pytest.mark.parametrize("shape,lead,acts", GRID)
def test_whole_mlp_matches_native_layers(shape, lead, acts, device) -> None:
    explicit, native = _mlp(shape, *acts).to(device), _mlp(shape, *acts, impl="native").to(device)
    x = torch.randn(*lead, shape[0], device=device)
    xe, xn = x.clone().requires_grad_(), x.clone().requires_grad_()
    ye, yn = explicit(xe), native(xn)
    torch.testing.assert_close(ye, yn, rtol=1e-5, atol=1e-6)
    assert ye.shape == (*lead, shape[2])
    grad = torch.randn_like(ye)
    ye.backward(grad)
    yn.backward(grad)
    torch.testing.assert_close(xe.grad, xn.grad, rtol=1e-4, atol=1e-5)
    for pe, pn in zip(explicit.parameters(), native.parameters(), strict=True):
        torch.testing.assert_close(pe.grad, pn.grad, rtol=1e-4, atol=1e-5)


def _count_products(monkeypatch) -> list[tuple[int, ...]]:
    """Every matrix product of the backward (Tensor.mm): the forward's are addmm."""
    calls: list[tuple[int, ...]] = []
    mm = torch.Tensor.mm

    def counting(a, b):
        calls.append((*a.shape, *b.shape))
        return mm(a, b)

    monkeypatch.setattr(torch.Tensor, "mm", counting)
    return calls


def test_only_the_asked_gradients_are_computed(monkeypatch) -> None:
    net = _mlp((3, (5, 7), 2), "relu", None)
    calls = _count_products(monkeypatch)
    net(torch.randn(4, 3)).sum().backward()  # data input: 3 weight products, 2 input products (no dQ/dX_0)
    assert len(calls) == 5 and all(p.grad is not None for p in net.parameters())

    calls.clear()
    net.zero_grad(set_to_none=True)
    net.requires_grad_(False)  # a frozen critic under the actor's step: only dQ/dX, down to the input
    x = torch.randn(4, 3, requires_grad=True)
    net(x).sum().backward()
    assert len(calls) == 3 and x.grad is not None and all(p.grad is None for p in net.parameters())


def test_no_grad_forward_records_nothing_and_agrees() -> None:
    net = _mlp((3, (5, 7), 2), "tanh", "tanh")
    x = torch.randn(6, 3)
    with torch.no_grad():
        y = net(x)
    assert y.grad_fn is None
    torch.testing.assert_close(y, net(x).detach())


def test_parameters_and_state_dict_are_the_layer_modules() -> None:
    """The same keys as the per-layer network (a checkpoint from before loads unchanged), and a deep copy (a
    target network) computes with its own parameters."""
    net = _mlp((3, (64, 64), 1), "tanh", None)
    assert list(net.state_dict()) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                                      "net.4.weight", "net.4.bias"]
    native = _mlp((3, (64, 64), 1), "tanh", None, "native")
    native.load_state_dict(net.state_dict())
    target = copy.deepcopy(net)
    x = torch.randn(2, 3)
    before = target(x).detach()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    torch.testing.assert_close(target(x), before)
    assert not torch.allclose(net(x), before)


def test_bad_activation_is_refused() -> None:
    params = tuple(_mlp((3, (), 2), "relu", None).parameters())
    with pytest.raises(ValueError, match="gelu"):
        WM.whole_mlp(torch.randn(2, 3), params, "gelu")
