"""rlkit.nn backbones: MLP, the nature and minatar CNN encoders, make_encoder and EncoderHead."""

import pytest
import torch

from rlkit.nn import CNN, MLP, EncoderHead, Flatten, make_encoder


def _copy(explicit: torch.nn.Module, native: torch.nn.Module) -> torch.nn.Module:
    native.load_state_dict(explicit.state_dict())
    return native


def _agree(explicit: torch.nn.Module, native: torch.nn.Module, x: torch.Tensor) -> None:
    ye, yn = explicit(x), native(x)
    torch.testing.assert_close(ye, yn, rtol=1e-4, atol=1e-5)
    grad = torch.randn_like(ye)
    ye.backward(grad)
    yn.backward(grad)
    for (name, pe), pn in zip(explicit.named_parameters(), native.parameters(), strict=True):
        torch.testing.assert_close(pe.grad, pn.grad, rtol=1e-3, atol=1e-4, msg=lambda m, n=name: f"{n}: {m}")


def test_mlp_uses_the_requested_layers() -> None:
    mlp = MLP(4, 2, (8, 6), activation="tanh", out_activation="tanh")
    kinds = [(type(m).__name__, m.impl) for m in mlp.net]
    assert kinds == [("Linear", "explicit"), ("Tanh", "explicit")] * 3
    assert all(m.impl == "native" for m in MLP(4, 2, impl="native").net)
    assert mlp(torch.randn(3, 4) * 100).abs().max() <= 1
    with pytest.raises(ValueError, match="activation"):
        MLP(4, 2, activation="gelu")


@pytest.mark.parametrize("activation,out_activation", [("relu", None), ("tanh", "tanh")])
def test_mlp_explicit_matches_native(activation, out_activation, device) -> None:
    torch.manual_seed(0)
    explicit = MLP(4, 3, (16, 16), activation, out_activation).to(device)
    native = _copy(explicit, MLP(4, 3, (16, 16), activation, out_activation, impl="native").to(device))
    _agree(explicit, native, torch.randn(9, 4, device=device))


@pytest.mark.parametrize("kind,obs_shape,out_dim", [("nature", (4, 84, 84), 512),
                                                   ("minatar", (4, 10, 10), 128)])
def test_cnn_architecture(kind, obs_shape, out_dim) -> None:
    cnn = CNN(kind, obs_shape)
    convs = [(m.out_channels, m.kernel_size, m.stride) for m in cnn.convs if hasattr(m, "kernel_size")]
    expected = {"nature": [(32, (8, 8), (4, 4)), (64, (4, 4), (2, 2)), (64, (3, 3), (1, 1))],
                "minatar": [(16, (3, 3), (1, 1))]}[kind]
    assert convs == expected
    assert cnn.out_dim == out_dim == cnn.fc[0].out_features
    assert cnn.fc[0].in_features == {"nature": 64 * 7 * 7, "minatar": 16 * 8 * 8}[kind]
    assert cnn(torch.randn(2, *obs_shape)).shape == (2, out_dim)
    assert cnn(torch.randn(*obs_shape)).shape == (out_dim,)  # a single image


@pytest.mark.parametrize("kind,obs_shape", [("nature", (4, 84, 84)), ("minatar", (4, 10, 10))])
def test_cnn_explicit_matches_native(kind, obs_shape, device) -> None:
    torch.manual_seed(0)
    explicit = CNN(kind, obs_shape).to(device)
    native = _copy(explicit, CNN(kind, obs_shape, impl="native").to(device))
    _agree(explicit, native, torch.rand(2, *obs_shape, device=device))


def test_cnn_scales_integer_frames() -> None:
    cnn = CNN("minatar", (2, 10, 10), input_scale=1 / 255)
    unscaled = CNN("minatar", (2, 10, 10))
    unscaled.load_state_dict(cnn.state_dict())
    frames = torch.randint(0, 256, (3, 2, 10, 10), dtype=torch.uint8)
    torch.testing.assert_close(cnn(frames), unscaled(frames.float() / 255))


def test_cnn_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match="kind"):
        CNN("resnet", (4, 84, 84))
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        CNN("nature", (84, 84))
    with pytest.raises(ValueError, match=r"\(4, 30, 30\) is too small"):
        CNN("nature", (4, 30, 30))
    with pytest.raises(ValueError, match=r"input \(2, 3, 10, 10\).*3 channels.*expects 4"):
        CNN("minatar", (4, 10, 10))(torch.randn(2, 3, 10, 10))


def test_make_encoder_and_head() -> None:
    flat = make_encoder("flat", (3,))
    assert isinstance(flat, Flatten) and flat.out_dim == 3
    q_net = EncoderHead(make_encoder("minatar", (4, 10, 10)), out_dim=6, hidden=(32,))
    assert q_net(torch.randn(5, 4, 10, 10)).shape == (5, 6)
    policy = EncoderHead(make_encoder("flat", (2, 3)), out_dim=2, hidden=(8, 8), out_activation="tanh",
                         impl="native")
    assert policy(torch.randn(7, 2, 3)).shape == (7, 2)
    assert make_encoder("nature", (4, 84, 84), impl="native").convs[0].impl == "native"
    with pytest.raises(ValueError, match="encoder kind"):
        make_encoder("vit", (4, 84, 84))
