"""What the fuzz tests damage: the real models, WAVs and images, an ELF and map the budget tests
build, the manifest, tiny suites, a golden and a baseline made by the CLI from those."""

from __future__ import annotations

import pytest

from tests.forked_cli import forked
from tests.vigil.budget.firmware_build import build_firmware
from vigil.bench import fuzz_families


@pytest.fixture(scope="session")
def fuzz_bases(tmp_path_factory, model_mirror, data_dir):
    from vigil.bench.fuzz import warm_up

    warm_up()  # what the children run, loaded once here: they are forks of this process
    work = tmp_path_factory.mktemp("fuzz")
    env = {
        "VIGIL_CACHE": str(work / "cache"),
        "VIGIL_MODEL_MIRROR": str(model_mirror),
        "http_proxy": "http://127.0.0.1:9",  # a fetch that would leave the host fails at once
        "https_proxy": "http://127.0.0.1:9",
        "no_proxy": "",
    }
    fw = build_firmware(work / "firmware")
    bases = fuzz_families.read_bases(fw.elf, fw.map, env)
    suite = work / "tiny_vww.yml"
    suite.write_bytes(bases.suites["tiny_vww.yml"])
    made = forked(["regress", "golden", suite, "--out", work / "g.json"], env=env)
    assert made.code == 0, made.describe()
    bases.golden = (work / "g.json").read_bytes()
    report = forked(["budget", fw.elf, "--map", fw.map, "--json"], env=env)
    assert report.code == 0, report.describe()
    bases.baseline = report.stdout.encode()
    return bases
