"""The KWS and VWW suites pass on the host and on the Cortex-M33 under QEMU; a front-end with
one constant changed fails them, naming the samples; goldens for another model are refused."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from vigil.errors import VigilError
from vigil.regress.golden import check_golden, load_golden, samples_digest
from vigil.regress.run import run_suite
from vigil.regress.targets import open_target


@pytest.mark.parametrize("suite", ["kws", "vww"])
@pytest.mark.parametrize("target", ["host", "qemu"])
def test_suite_passes(prepared_suites, goldens, suite, target):
    prepared = prepared_suites[suite]
    golden, path = goldens[suite]
    report = run_suite(prepared, golden, path, open_target(target, prepared.resolved))
    assert report.passed, [v.problems for v in report.regressions]
    assert len(report.clips) == len(prepared.clips) and len(report.streams) == len(prepared.streams)
    # the target answers exactly as the reference chain: same accuracy on the expected labels
    assert report.accuracy.matrix == report.reference_accuracy.matrix
    print(f"{suite} on {target}: top-1 {report.accuracy.top1:.1%} of {report.accuracy.total}")


def test_micro_speech_suite_passes_on_the_host(prepared_suites, goldens):
    prepared = prepared_suites["micro_speech"]
    golden, path = goldens["micro_speech"]
    report = run_suite(prepared, golden, path, open_target("host", prepared.resolved))
    assert report.passed and report.accuracy.total > 20
    with pytest.raises(VigilError, match="use --target host, native_sim or serial"):
        open_target("qemu", prepared.resolved)


def test_a_stream_has_keywords_at_known_times(prepared_suites, goldens):
    (stream,) = prepared_suites["kws"].streams
    assert len(stream.truth) == 12
    loud = [np.sqrt(np.mean(stream.samples[o.start_ms * 16 : o.end_ms * 16].astype(float) ** 2)) for o in stream.truth]
    gaps = [
        np.sqrt(np.mean(stream.samples[(a.end_ms + 300) * 16 : (b.start_ms - 300) * 16].astype(float) ** 2))
        for a, b in zip(stream.truth, stream.truth[1:], strict=False)
    ]
    assert min(loud) > 3 * max(gaps)  # speech where the truth says, noise between (20 dB SNR)
    golden, _ = goldens["kws"]
    hits = golden.streams[stream.ident].detections
    assert hits and all(
        any(o.label == label and o.start_ms <= ms <= o.end_ms + 1500 for o in stream.truth) for label, ms in hits
    )


def test_a_changed_mfcc_constant_fails_the_suite_naming_samples(prepared_suites, goldens, monkeypatch):
    """The MFCC's lower mel edge from 20 Hz to 40 Hz in the configuration the firmware session
    gets: one constant of the C front-end (the reference chain keeps the model's)."""
    from vigil.device import host

    original = host.mfcc_config

    def broken(spec):
        cfg = original(spec)
        cfg.lower_edge_hz = 40.0
        return cfg

    monkeypatch.setattr(host, "mfcc_config", broken)
    prepared = prepared_suites["kws"]
    golden, path = goldens["kws"]
    report = run_suite(prepared, golden, path, open_target("host", prepared.resolved))
    assert not report.passed
    named = {v.ident for v in report.regressions}
    assert len(named) > len(prepared.clips) // 2 and "yes_1000ms" in named
    assert all(
        "scores differ" in " ".join(v.problems) or "detections" in " ".join(v.problems) for v in report.regressions
    )


def test_a_changed_pixel_scale_fails_the_vww_suite(prepared_suites, goldens, monkeypatch):
    from vigil.device import host

    original = host.model_binding

    def broken(resolved):
        binding = original(resolved)
        binding.pixel_scale = 1 / 256  # instead of 1/255
        return binding

    monkeypatch.setattr(host, "model_binding", broken)
    prepared = prepared_suites["vww"]
    golden, path = goldens["vww"]
    report = run_suite(prepared, golden, path, open_target("host", prepared.resolved))
    assert not report.passed and len(report.regressions) > 10


def test_a_golden_for_another_model_is_refused(prepared_suites, goldens, tmp_path):
    golden_ms, path_ms = goldens["micro_speech"]
    prepared = prepared_suites["kws"]
    with pytest.raises(VigilError, match="golden made for model 'micro_speech_quantized'"):
        run_suite(prepared, golden_ms, path_ms, open_target("host", prepared.resolved))
    # a golden of the right suite, edited to claim another model, is refused as well
    _, path = goldens["kws"]
    doc = json.loads(path.read_text())
    doc["model"]["sha256"] = "0" * 64
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    with pytest.raises(VigilError, match="regenerate it"):
        run_suite(prepared, load_golden(edited), edited, open_target("host", prepared.resolved))


def test_a_golden_for_other_samples_is_refused(prepared_suites, goldens):
    """The right model, other samples: one clip fewer, one sample changed, or renamed."""
    prepared = prepared_suites["kws"]
    kws_golden, kws_path = goldens["kws"]
    first = prepared.clips[0]
    changed = first.data.copy()
    changed[len(changed) // 2] ^= 1
    others = {
        "one clip fewer": (prepared.clips[1:], prepared.streams),
        "one sample changed": ([replace(first, data=changed)] + prepared.clips[1:], prepared.streams),
        "a clip renamed": ([replace(first, ident=first.ident + "_")] + prepared.clips[1:], prepared.streams),
        "no stream": (prepared.clips, []),
    }
    for what, (clips, streams) in others.items():
        stale = replace(kws_golden, samples_sha256=samples_digest(clips, streams))
        assert stale.model_sha256 == kws_golden.model_sha256 and stale.samples_sha256 != kws_golden.samples_sha256
        with pytest.raises(
            VigilError, match=f"^{re.escape(str(kws_path))}: golden made for other samples; regenerate"
        ) as e:
            run_suite(prepared, stale, kws_path, open_target("host", prepared.resolved))
        assert "model" not in str(e.value), what
    # and the golden made for exactly these samples is accepted by the same check
    check_golden(kws_golden, kws_path, prepared.resolved, prepared.clips, prepared.streams)
