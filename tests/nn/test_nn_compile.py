"""torch.compile(fullgraph=True) traces our custom autograd Functions and matches eager, values and grads."""

import pytest
import torch

from rlkit.nn import CNN, MLP

# inductor's own imports trip this torch-internal deprecation; it is not about our code
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")


def _compiled_matches_eager(net: torch.nn.Module, x: torch.Tensor) -> None:
    compiled = torch.compile(net, fullgraph=True)
    y = compiled(x)
    grads = torch.autograd.grad(y.square().sum(), list(net.parameters()))
    y_eager = net(x)
    grads_eager = torch.autograd.grad(y_eager.square().sum(), list(net.parameters()))
    torch.testing.assert_close(y, y_eager, rtol=1e-5, atol=1e-5)
    for a, b in zip(grads, grads_eager, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


@pytest.fixture(autouse=True)
def _fresh_dynamo():
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def test_compiled_mlp_matches_eager() -> None:
    torch.manual_seed(0)
    _compiled_matches_eager(MLP(4, 2, (32, 32), activation="tanh"), torch.randn(8, 4))


def test_compiled_cnn_matches_eager() -> None:
    torch.manual_seed(0)
    _compiled_matches_eager(CNN("minatar", (2, 10, 10)), torch.randn(3, 2, 10, 10))
