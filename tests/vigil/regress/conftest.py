"""Suites, their samples and goldens, shared by the regress tests (goldens are made once)."""

from pathlib import Path

import pytest

from vigil.regress.run import golden_for, prepare
from vigil.regress.suite import load_suite

SMALL_KWS = """
model: kws_ref_model
clips:
  - files: samples/kws/*_1000ms.wav
  - speech: {seed: 77, words: ["yes", up, bird], variants: 1}
streams:
  - speech_stream: {seed: 3, seconds: 10, words: ["yes", "no"], count: 2, snr_db: 25}
"""


@pytest.fixture(scope="session")
def prepared_suites(manifest):
    return {name: prepare(load_suite(name), manifest) for name in ("kws", "vww", "micro_speech")}


@pytest.fixture(scope="session")
def goldens(prepared_suites, tmp_path_factory):
    from vigil.regress.golden import save_golden

    folder = tmp_path_factory.mktemp("goldens")
    out = {}
    for name, prepared in prepared_suites.items():
        golden = golden_for(prepared)
        save_golden(golden, folder / f"{name}.golden.json")
        out[name] = (golden, folder / f"{name}.golden.json")
    return out


@pytest.fixture(scope="session")
def small_kws(tmp_path_factory, manifest):
    """A small KWS suite (4 recordings, 3 generated clips, a 10 s stream) and its golden."""
    from vigil.regress.golden import save_golden

    folder = tmp_path_factory.mktemp("small")
    suite_path = folder / "small.yml"
    suite_path.write_text(SMALL_KWS)
    prepared = prepare(load_suite(suite_path), manifest)
    golden_path = folder / "small.golden.json"
    save_golden(golden_for(prepared), golden_path)
    return suite_path, golden_path, prepared


FAKE_DEVICE = Path(__file__).with_name("fake_device.py")
