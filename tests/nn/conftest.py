"""Shared fixtures for the rlkit.nn tests: the devices every agreement test runs on."""

import pytest
import torch

NO_CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
DEVICES = ["cpu", pytest.param("cuda", marks=[NO_CUDA, pytest.mark.cuda])]


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    return torch.device(request.param)
