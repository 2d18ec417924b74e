import pytest

from .firmware_build import build_firmware


@pytest.fixture(scope="session")
def firmware(tmp_path_factory):
    return build_firmware(tmp_path_factory.mktemp("firmware"))


@pytest.fixture(scope="session")
def changed_firmware(tmp_path_factory):
    return build_firmware(tmp_path_factory.mktemp("firmware-changed"), changed=True)


@pytest.fixture(scope="session")
def stripped_firmware(tmp_path_factory):
    return build_firmware(tmp_path_factory.mktemp("firmware-nodwarf"), debug=False)
