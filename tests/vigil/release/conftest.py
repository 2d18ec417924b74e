"""`vigil release` end to end, run once per test session (it is the slowest test): the run on
every model and everything runnable here, and a second run against the first as its baseline."""

from __future__ import annotations

import pytest

from tests.vigil.release.runs import Run, release


@pytest.fixture(scope="session")
def release_run(tmp_path_factory, model_mirror) -> Run:
    run = release(tmp_path_factory.mktemp("release") / "first")
    assert (run.out / "release.json").is_file(), run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def baseline_run(release_run, tmp_path_factory) -> Run:
    first = release_run.out
    return release(
        tmp_path_factory.mktemp("release") / "second",
        "--baseline",
        str(first / "release.json"),
        "--goldens",
        str(first / "goldens"),
    )
