"""The NICE tests' world: the NICE agents beside the Huawei ones (a module's own `sim_config`
overrides it), and CXone clients of the `sim` fixture."""
from __future__ import annotations

import pytest

from ccsim import config
from support.nice import client, nice_config  # noqa: F401  (client: a fixture)


@pytest.fixture
def sim_config() -> config.Config:
    return nice_config()
