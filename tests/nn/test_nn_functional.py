"""rlkit.nn.functional: gradcheck in float64 over a grid, agreement with torch.nn.functional, bad input."""

import itertools
import random

import pytest
import torch
import torch.nn.functional as F

from rlkit.nn import conv as conv_module
from rlkit.nn import functional as RF

# --- the conv2d grid: a seeded sample of the product, small spatial sizes, every option value covered ----
BATCH = (1, 5)
SIZES = ((4, 6), (5, 3))  # (H, W), H ≠ W
KERNELS = ((1, 1), (2, 2), (3, 3), (2, 3), (3, 1))  # square and non-square
STRIDES = (1, 2, 4, (1, 2))
PADDINGS = (0, 1, 2, (2, 0))
DILATIONS = (1, 2, (2, 1))
BIAS = (True, False)
CHANNELS = (1, 2, 3, 4)
LAYOUTS = ("nchw", "channels_last")


def _pair(v):
    return (v, v) if isinstance(v, int) else v


def _valid(size, kernel, padding, dilation) -> bool:
    dims = zip(size, kernel, _pair(padding), _pair(dilation), strict=True)
    return all(d * (k - 1) + 1 <= s + 2 * p for s, k, p, d in dims)


def _conv_grid(n: int, seed: int):
    full = [c for c in itertools.product(BATCH, SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS, BIAS, CHANNELS,
                                         (1, 3), LAYOUTS) if _valid(c[1], c[2], c[4], c[5])]
    return random.Random(seed).sample(full, n)


GRADCHECK_GRID = _conv_grid(30, seed=0)
AGREEMENT_GRID = _conv_grid(16, seed=1)


def test_grid_covers_every_option() -> None:
    for column, values in enumerate((BATCH, SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS, BIAS, CHANNELS)):
        assert {c[column] for c in GRADCHECK_GRID} == set(values), f"grid misses a value of column {column}"


def _conv_inputs(config, dtype, device, seed=0):
    batch, (h, w), kernel, stride, padding, dilation, bias, c_in, c_out, layout = config
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, c_in, h, w, generator=gen, dtype=dtype)
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    weight = torch.randn(c_out, c_in, *kernel, generator=gen, dtype=dtype)
    b = torch.randn(c_out, generator=gen, dtype=dtype) if bias else None
    tensors = [t.to(device).requires_grad_() for t in (x, weight) + ((b,) if bias else ())]
    return tensors, dict(stride=stride, padding=padding, dilation=dilation)


@pytest.mark.parametrize("config", GRADCHECK_GRID, ids=str)
def test_conv2d_gradcheck(config) -> None:
    """Full Jacobian check at batch 1; at batch 5 gradcheck's fast mode (random projections of the Jacobian,
    which any wrong entry perturbs) keeps the suite quick — one backward per output element is the cost."""
    tensors, kw = _conv_inputs(config, torch.float64, "cpu")
    fast = config[0] > 1
    assert torch.autograd.gradcheck(lambda x, w, *b: RF.conv2d(x, w, *b, **kw), tensors, fast_mode=fast)


@pytest.mark.parametrize("config", AGREEMENT_GRID, ids=str)
def test_conv2d_matches_torch(config, device) -> None:
    ours, kw = _conv_inputs(config, torch.float32, device)
    ref = [t.detach().clone().requires_grad_() for t in ours]
    out, expected = RF.conv2d(*ours, **kw), F.conv2d(*ref, **kw)
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)
    grad = torch.randn_like(expected)
    out.backward(grad)
    expected.backward(grad)
    for a, b in zip(ours, ref, strict=True):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("config", GRADCHECK_GRID[:6], ids=str)
def test_conv2d_with_activation_gradcheck_and_matches_torch(config, activation) -> None:
    """conv2d(..., activation=) is the convolution then the activation in one node: gradcheck in float64, and
    the values and gradients of F.conv2d followed by torch's activation."""
    tensors, kw = _conv_inputs(config, torch.float64, "cpu")
    assert torch.autograd.gradcheck(lambda x, w, *b: RF.conv2d(x, w, *b, **kw, activation=activation), tensors,
                                    fast_mode=config[0] > 1)
    ref = [t.detach().clone().requires_grad_() for t in tensors]
    act = {"relu": torch.relu, "tanh": torch.tanh}[activation]
    out, expected = RF.conv2d(*tensors, **kw, activation=activation), act(F.conv2d(*ref, **kw))
    torch.testing.assert_close(out, expected)
    grad = torch.randn_like(expected)
    out.backward(grad)
    expected.backward(grad)
    for a, b in zip(tensors, ref, strict=True):
        torch.testing.assert_close(a.grad, b.grad)


def test_conv2d_computes_only_needed_grads() -> None:
    x = torch.randn(2, 3, 6, 5)  # no grad wanted for the input, as for a network's first layer
    weight = torch.randn(4, 3, 3, 2, requires_grad=True)
    RF.conv2d(x, weight, None, stride=2).sum().backward()
    assert x.grad is None and weight.grad is not None


def test_fold_is_the_adjoint_of_unfold() -> None:
    """<unfold(x), y> = <x, fold(y)> for all x, y: fold is unfold's transpose, summing overlapping patches."""
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    kernel, stride, padding, dilation = (2, 3), (1, 2), (1, 0), (2, 1)
    for memory_format in (torch.contiguous_format, torch.channels_last):
        xp = conv_module._pad(x.contiguous(memory_format=memory_format), padding)
        rows = conv_module._patch_view(xp, kernel, stride, dilation).reshape(-1, 3 * 2 * 3)
        y = torch.randn_like(rows)
        folded = conv_module._fold(y, tuple(x.shape), kernel, stride, padding, dilation)
        torch.testing.assert_close((rows * y).sum(), (x * folded).sum())


# --- linear, relu, tanh -----------------------------------------------------------------------------------
LINEAR_GRID = [(shape, out, bias) for shape, out, bias in itertools.product(
    ((3,), (1, 3), (5, 3), (2, 5, 3)), (1, 4), (True, False))]


def _linear_inputs(shape, out, bias, dtype, device):
    gen = torch.Generator().manual_seed(0)
    tensors = [torch.randn(*shape, generator=gen, dtype=dtype),
               torch.randn(out, shape[-1], generator=gen, dtype=dtype)]
    if bias:
        tensors.append(torch.randn(out, generator=gen, dtype=dtype))
    return [t.to(device).requires_grad_() for t in tensors]


@pytest.mark.parametrize("shape,out,bias", LINEAR_GRID)
def test_linear_gradcheck(shape, out, bias) -> None:
    assert torch.autograd.gradcheck(RF.linear, _linear_inputs(shape, out, bias, torch.float64, "cpu"))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("shape,out,bias", LINEAR_GRID[::3])
def test_linear_act_gradcheck(shape, out, bias, activation) -> None:
    tensors = _linear_inputs(shape, out, bias, torch.float64, "cpu")
    assert torch.autograd.gradcheck(lambda *t: RF.linear_act(*t, activation) if bias
                                    else RF.linear_act(*t, None, activation), tensors)


@pytest.mark.parametrize("op", [RF.relu, RF.tanh], ids=["relu", "tanh"])
@pytest.mark.parametrize("shape", [(7,), (1, 4), (5, 3), (2, 3, 4, 5)])
def test_activation_gradcheck(op, shape) -> None:
    x = torch.randn(*shape, dtype=torch.float64)
    x = (x + 0.1 * x.sign()).requires_grad_()  # keep entries away from ReLU's kink at 0
    assert torch.autograd.gradcheck(op, (x,))


@pytest.mark.parametrize("shape,out,bias", LINEAR_GRID)
def test_linear_matches_torch(shape, out, bias, device) -> None:
    ours = _linear_inputs(shape, out, bias, torch.float32, device)
    ref = [t.detach().clone().requires_grad_() for t in ours]
    _check_agreement(RF.linear(*ours), F.linear(*ref), ours, ref)


@pytest.mark.parametrize("name", ["relu", "tanh"])
def test_activations_match_torch(name, device) -> None:
    x = torch.randn(64, 33, device=device, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_()
    ours, ref = getattr(RF, name), {"relu": F.relu, "tanh": torch.tanh}[name]
    _check_agreement(ours(x), ref(x_ref), [x], [x_ref])
    y = torch.randn(5, 7, device=device, requires_grad=True)
    w = torch.randn(3, 7, device=device, requires_grad=True)
    b = torch.randn(3, device=device, requires_grad=True)
    refs = [t.detach().clone().requires_grad_() for t in (y, w, b)]
    _check_agreement(RF.linear_act(y, w, b, name), ref(F.linear(*refs)), [y, w, b], refs)


def _check_agreement(out, expected, ours, ref) -> None:
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    grad = torch.randn_like(expected)
    out.backward(grad)
    expected.backward(grad)
    for a, b in zip(ours, ref, strict=True):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)


# --- bad input: a ValueError naming the shapes, before any computation -------------------------------------
@pytest.fixture
def no_conv_compute(monkeypatch):
    class Forbidden:
        @staticmethod
        def apply(*args):
            raise AssertionError("conv2d computed before rejecting its input")
    monkeypatch.setattr(conv_module, "Conv2dFunction", Forbidden)


@pytest.mark.parametrize("x_shape,w_shape,kwargs,match", [
    ((3, 8, 8), (4, 3, 3, 3), {}, r"input \(3, 8, 8\).*4-D"),
    ((2, 1, 3, 8, 8), (4, 3, 3, 3), {}, r"input \(2, 1, 3, 8, 8\).*rank 5"),
    ((2, 2, 8, 8), (4, 3, 3, 3), {}, r"input \(2, 2, 8, 8\), weight \(4, 3, 3, 3\).*2 channels.*expects 3"),
    ((2, 3, 4, 8), (4, 3, 5, 3), {}, r"weight \(4, 3, 5, 3\).*larger than the padded input \(4, 8\)"),
    ((2, 3, 4, 8), (4, 3, 5, 3), {"padding": (0, 1)}, r"larger than the padded input \(4, 10\)"),
    ((2, 3, 4, 4), (4, 3, 3, 3), {"dilation": 2}, r"dilated extent \(5, 5\).*\(4, 4\)"),
    ((2, 3, 8, 8), (4, 3, 3, 3), {"stride": 0}, r"input \(2, 3, 8, 8\).*stride \(0, 0\)"),
    ((2, 3, 8, 8), (4, 3, 3, 3), {"stride": (1, -2)}, r"stride \(1, -2\)"),
    ((2, 3, 8, 8), (4, 3, 3, 3), {"padding": -1}, r"padding \(-1, -1\)"),
    ((2, 3, 8, 8), (4, 3, 3), {}, r"weight \(4, 3, 3\).*4-D"),
])
def test_conv2d_rejects_bad_input(x_shape, w_shape, kwargs, match, no_conv_compute) -> None:
    with pytest.raises(ValueError, match=match):
        RF.conv2d(torch.randn(x_shape), torch.randn(w_shape), **kwargs)


def test_conv2d_rejects_bad_bias_and_arguments(no_conv_compute) -> None:
    x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"bias shape \(5,\) must be \(4,\)"):
        RF.conv2d(x, w, torch.randn(5))
    with pytest.raises(ValueError, match="stride"):
        RF.conv2d(x, w, stride=(1, 2, 3))


def test_linear_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"input \(5, 3\), weight \(4, 2\)"):
        RF.linear(torch.randn(5, 3), torch.randn(4, 2))
    with pytest.raises(ValueError, match=r"bias shape \(3,\) must be \(4,\)"):
        RF.linear(torch.randn(5, 2), torch.randn(4, 2), torch.randn(3))
    with pytest.raises(ValueError, match="activation"):
        RF.linear_act(torch.randn(5, 2), torch.randn(4, 2), None, "gelu")
