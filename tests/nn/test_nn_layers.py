"""rlkit.nn modules: torch.nn-compatible construction and initialisation, impl switch, fused Sequential."""

import pytest
import torch
from torch import nn

from rlkit.nn import Conv2d, Linear, ReLU, Tanh
from rlkit.nn.layers import Sequential


@pytest.mark.parametrize("args,kwargs", [
    ((3, 8, 3), {}),
    ((2, 4, (3, 2)), {"stride": 2, "padding": 1, "bias": False}),
    ((1, 5, (2, 4)), {"stride": (1, 2), "padding": (2, 0), "dilation": (2, 1)}),
])
def test_conv2d_initialises_like_torch(args, kwargs) -> None:
    torch.manual_seed(3)
    ours = Conv2d(*args, **kwargs)
    torch.manual_seed(3)
    ref = nn.Conv2d(*args, **kwargs)
    assert ours.kernel_size == ref.kernel_size and ours.stride == ref.stride and ours.padding == ref.padding
    for name, p in ref.named_parameters():
        torch.testing.assert_close(getattr(ours, name), p, rtol=0, atol=0)
    assert (ours.bias is None) == (ref.bias is None)
    ours.load_state_dict(ref.state_dict())  # same parameter names and shapes


@pytest.mark.parametrize("bias", [True, False])
def test_linear_initialises_like_torch(bias) -> None:
    torch.manual_seed(4)
    ours = Linear(7, 5, bias=bias)
    torch.manual_seed(4)
    ref = nn.Linear(7, 5, bias=bias)
    assert ours.state_dict().keys() == ref.state_dict().keys()
    for key, value in ref.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[key], value, rtol=0, atol=0)


def _same_out_and_grads(a: nn.Module, b: nn.Module, x: torch.Tensor) -> None:
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = a(xa), b(xb)
    torch.testing.assert_close(ya, yb, rtol=1e-5, atol=1e-5)
    grad = torch.randn_like(ya)
    ya.backward(grad)
    yb.backward(grad)
    torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-4, atol=1e-5)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa.grad, pb.grad, rtol=1e-4, atol=1e-4)


def test_impl_switch_gives_the_same_layers(device) -> None:
    torch.manual_seed(0)
    explicit = Conv2d(3, 4, (3, 2), stride=2, padding=1, device=device)
    native = Conv2d(3, 4, (3, 2), stride=2, padding=1, impl="native", device=device)
    native.load_state_dict(explicit.state_dict())
    _same_out_and_grads(explicit, native, torch.randn(2, 3, 9, 7, device=device))
    lin_e, lin_n = Linear(6, 3, device=device), Linear(6, 3, impl="native", device=device)
    lin_n.load_state_dict(lin_e.state_dict())
    _same_out_and_grads(lin_e, lin_n, torch.randn(4, 6, device=device))
    for cls in (ReLU, Tanh):
        _same_out_and_grads(cls(), cls(impl="native"), torch.randn(4, 6, device=device))


def test_fused_sequential_matches_layer_by_layer() -> None:
    torch.manual_seed(0)
    layers = [Linear(5, 8), ReLU(), Linear(8, 8), Tanh(), Linear(8, 2), ReLU()]
    fused, plain = Sequential(*layers), nn.Sequential(*layers)
    x = torch.randn(6, 5)
    assert type(fused(x).grad_fn).__name__ == "LinearActFunctionBackward"
    torch.testing.assert_close(fused(x), plain(x), rtol=0, atol=0)
    fused_grads = torch.autograd.grad(fused(x).sum(), list(fused.parameters()))
    plain_grads = torch.autograd.grad(plain(x).sum(), list(plain.parameters()))
    for a, b in zip(fused_grads, plain_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    assert list(fused.state_dict()) == list(plain.state_dict())


def test_fused_sequential_runs_conv_and_relu_as_one_node() -> None:
    torch.manual_seed(0)
    layers = [Conv2d(3, 4, 3), ReLU(), Conv2d(4, 2, 2, stride=2), Tanh()]
    fused, plain = Sequential(*layers), nn.Sequential(*layers)
    x = torch.randn(2, 3, 9, 9)
    assert type(fused(x).grad_fn).__name__ == "Conv2dFunctionBackward"
    torch.testing.assert_close(fused(x), plain(x))
    fused_grads = torch.autograd.grad(fused(x).sum(), list(fused.parameters()))
    plain_grads = torch.autograd.grad(plain(x).sum(), list(plain.parameters()))
    for a, b in zip(fused_grads, plain_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_modules_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="impl"):
        Linear(2, 3, impl="cuda")
    with pytest.raises(ValueError, match="impl"):
        ReLU(impl="fast")
    with pytest.raises(ValueError, match="groups"):
        Conv2d(4, 4, 3, groups=2)
    with pytest.raises(ValueError, match="stride"):
        Conv2d(4, 4, 3, stride=0)
    with pytest.raises(ValueError, match="padding"):
        Conv2d(4, 4, 3, padding="same")
    conv = Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"input \(2, 5, 8, 8\).*5 channels.*expects 3"):
        conv(torch.randn(2, 5, 8, 8))
    with pytest.raises(ValueError, match=r"input \(2, 3\), weight \(4, 5\)"):
        Linear(5, 4)(torch.randn(2, 3))


def test_repr_names_the_impl() -> None:
    assert "impl=native" in repr(Conv2d(1, 2, 3, impl="native"))
    assert "impl=explicit" in repr(Linear(1, 2)) and "impl=explicit" in repr(ReLU())
