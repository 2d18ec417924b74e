import os
from pathlib import Path

import pytest

from .firmware_build import cached_firmware


@pytest.fixture(scope="session")
def firmware_cache() -> Path:
    return Path(os.environ["VIGIL_CACHE"]) / "budget-firmware"


@pytest.fixture(scope="session")
def firmware(firmware_cache):
    return cached_firmware(firmware_cache)


@pytest.fixture(scope="session")
def changed_firmware(firmware_cache):
    return cached_firmware(firmware_cache, changed=True)


@pytest.fixture(scope="session")
def stripped_firmware(firmware_cache):
    return cached_firmware(firmware_cache, debug=False)
