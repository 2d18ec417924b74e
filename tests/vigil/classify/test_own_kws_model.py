"""A user's own keyword model with a non-MLPerf MFCC configuration: every front-end parameter comes
from its manifest entry, in the host C, on the Cortex-M33 under QEMU and in the reference chain.

The models are made here with TensorFlow (random weights, seeded, converted to int8 by `vigil models
convert` with the configuration's own features as calibration)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.tools import require_tool
from vigil.core import native
from vigil.core.frontend_config import mfcc_config
from vigil.core.qemu import QemuBatch
from vigil.fileio import sha256_file
from vigil.frontends import mlperf_mfcc
from vigil.frontends.spec import parse_frontend
from vigil.io.wav import read_wav, write_wav
from vigil.models.manifest import load_manifest
from vigil.models.resolve import resolve_model
from vigil.reference.chain import ReferenceChain
from vigil.tflite.quantize import quantize

CONFIGS = {
    # 13 coefficients of 32 mel bands, a 40 ms window, a 1024-point FFT, other band edges
    "wide": dict(sample_rate=16000, clip_samples=16000, frame_length=640, frame_step=320, fft_length=1024,
                 num_mel_bins=32, lower_edge_hz=60.0, upper_edge_hz=7000.0, num_mfcc=13),
    # telephone band: 8 kHz audio
    "narrow": dict(sample_rate=8000, clip_samples=8000, frame_length=256, frame_step=160, fft_length=256,
                   num_mel_bins=20, lower_edge_hz=20.0, upper_edge_hz=3800.0, num_mfcc=10),
    # 10 ms hops: 98 frames a window, and a window that is not num_frames + 1 hops
    "fine": dict(sample_rate=16000, clip_samples=16000, frame_length=400, frame_step=160, fft_length=512,
                 num_mel_bins=40, lower_edge_hz=20.0, upper_edge_hz=4000.0, num_mfcc=12),
}  # fmt: skip
LABELS = ["yes", "no", "unknown"]


def _wavs(data_dir: Path, rate: int, folder: Path) -> list[Path]:
    """The shared recordings, held-out synthetic "yes" and "no" (voices the model was not trained
    on), and a stream of them, at the configuration's sample rate."""
    from vigil.datasets import recipes

    held_out = recipes.materialize(recipes.KWS_TEST)
    sources = sorted((data_dir / "samples" / "kws").glob("*_1000ms.wav"))
    sources += sorted(held_out.glob("yes_*.wav"))[:3] + sorted(held_out.glob("no_*.wav"))[:3]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sources:
        dst = folder / src.name
        if rate == 16000:
            dst.write_bytes(src.read_bytes())
        else:
            subprocess.run([require_tool("sox"), str(src), "-r", str(rate), str(dst)], check=True)
        out.append(dst)
    stream = np.concatenate([read_wav(p, rate)[:rate] for p in out] + [read_wav(out[0], rate)[: rate * 4 // 10]])
    write_wav(folder / "stream.wav", stream, rate)
    return out + [folder / "stream.wav"]


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def own_model(request, tmp_path_factory, data_dir):
    """(manifest path, spec, wav files) for one configuration."""
    from vigil.models.convert import convert
    from vigil.tfenv import tensorflow

    name = request.param
    spec = parse_frontend({"kind": "mlperf_mfcc", **CONFIGS[name]})
    tmp = tmp_path_factory.mktemp(f"own-{name}")
    wavs = _wavs(data_dir, spec.sample_rate, tmp / "wav")
    tf = tensorflow()
    import tf_keras

    tf.random.set_seed(7)
    inputs = tf_keras.Input((spec.num_frames, spec.num_mfcc, 1))
    x = tf_keras.layers.Conv2D(8, (5, 3), strides=(2, 1), padding="same")(inputs)
    x = tf_keras.layers.ReLU()(tf_keras.layers.BatchNormalization()(x))
    x = tf_keras.layers.DepthwiseConv2D((3, 3), padding="same", activation="relu")(x)
    x = tf_keras.layers.Flatten()(tf_keras.layers.AveragePooling2D((4, 1))(x))
    outputs = tf_keras.layers.Dense(len(LABELS), activation="softmax")(x)
    keras_model = tf_keras.Model(inputs, outputs)
    # A few epochs on Vigil's synthetic calibration speech, so that the model says different things
    # about different clips (a random network answers one label for everything).
    features, targets = _training_set(spec)
    counts = np.bincount(targets, minlength=len(LABELS))
    weights = {k: len(targets) / (len(LABELS) * n) for k, n in enumerate(counts)}  # 16 yes, 16 no, 204 others
    keras_model.compile(optimizer=tf_keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy")
    keras_model.fit(features, targets, epochs=40, batch_size=32, verbose=0, shuffle=False, class_weight=weights)
    src = tmp / f"{name}.h5"
    keras_model.save(src)
    calibration = tmp / "calibration"
    calibration.mkdir()
    for wav in wavs[:-1]:
        (calibration / wav.name).write_bytes(wav.read_bytes())
    mirror = tmp / "mirror"
    result = convert(src, "kws", mirror / f"{name}.tflite", calibration, spec)
    manifest = tmp / "models.yml"
    entry = {
        "task": "kws",
        "labels": LABELS,
        "input": {"shape": [1, spec.num_frames, spec.num_mfcc, 1], "dtype": "int8"},
        "output": {"shape": [1, len(LABELS)], "dtype": "int8"},
        "frontend": {"kind": "mlperf_mfcc", **CONFIGS[name]},
        "postprocess": {"kind": "recognizer", "threshold": 0.4, "unknown": "unknown", "silence": None},
        "files": [
            {"role": "int8", "path": f"{name}.tflite", "url": "https://example.invalid/m.tflite",
             "sha256": sha256_file(result.out)}
        ],
    }  # fmt: skip
    manifest.write_text(yaml.safe_dump({"models": {f"own_{name}": entry}}, sort_keys=False))
    return manifest, mirror, spec, wavs, f"own_{name}"


def _training_set(spec) -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import resample_poly

    from vigil.datasets import recipes
    from vigil.datasets.labelled import discover

    folder = recipes.materialize(recipes.KWS_CALIBRATION)
    features, targets = [], []
    for sample in discover(folder, "kws", ()):
        clip = read_wav(sample.path)
        if spec.sample_rate != 16000:
            clip = np.clip(resample_poly(clip.astype(np.float64), spec.sample_rate, 16000), -32768, 32767)
            clip = clip.astype(np.int16)
        word = sample.path.name.split("_")[0]
        targets.append(LABELS.index(word) if word in LABELS else LABELS.index("unknown"))
        padded = np.zeros(spec.clip_samples, np.int16)
        padded[: min(clip.size, padded.size)] = clip[: padded.size]
        features.append(mlperf_mfcc.mfcc_features(padded, spec)[..., None])
    return np.array(features), np.array(targets)


def _host_tensor(spec, samples: np.ndarray, scale: float, zero: int) -> np.ndarray:
    clip = np.zeros(spec.clip_samples, np.int16)
    clip[: min(samples.size, clip.size)] = samples[: clip.size]
    mfcc = native.Mfcc(mfcc_config(spec))
    mfcc.push(clip)
    return mfcc.tensor(scale, zero)


@pytest.mark.slow
def test_host_c_qemu_and_tf_signal_give_the_same_int8_features(own_model):
    manifest, mirror, spec, wavs, name = own_model
    resolved = resolve_model(name, load_manifest(manifest), [mirror])
    t = resolved.model.input_tensors[0]
    scale, zero = float(t.scale[0]), int(t.zero_point[0])
    clips = [read_wav(p, spec.sample_rate)[: spec.clip_samples] for p in wavs]
    references = [quantize(mlperf_mfcc.mfcc_features(c, spec), scale, zero) for c in clips]
    hosts = [_host_tensor(spec, c, scale, zero) for c in clips]
    batch = QemuBatch()
    jobs = [
        batch.mfcc_clip(np.pad(c, (0, spec.clip_samples - c.size)), scale, zero, (spec.num_frames, spec.num_mfcc),
                        config=mfcc_config(spec))
        for c in clips
    ]  # fmt: skip
    outputs = batch.run().outputs
    for ref, host, job in zip(references, hosts, jobs, strict=True):
        diff = np.abs(ref.astype(int) - host.astype(int).reshape(ref.shape))
        assert diff.max() <= 1 and (diff == 0).mean() >= 0.99, (diff.max(), (diff == 0).mean())
        assert (outputs[job].reshape(host.shape) == host).all()  # QEMU bit-exact with the host


@pytest.mark.slow
@pytest.mark.parametrize("target", ["host", "qemu"])
def test_vigil_classify_runs_it_as_the_reference_chain_does(own_model, cli, target):
    manifest, mirror, spec, wavs, name = own_model
    code, out, err = cli(
        "classify", "--task", "kws", "--manifest", manifest, "--mirror", mirror, "--model", name, "--target", target,
        "--json", *wavs,
    )  # fmt: skip
    assert code == 0, err
    results = {Path(r["file"]).name: r for r in json.loads(out)}
    chain = ReferenceChain(resolve_model(name, load_manifest(manifest), [mirror]))
    step = chain.runner.output_quant.scale
    labels = []
    for wav in wavs[:-1]:
        scores = chain.clip_scores(read_wav(wav, spec.sample_rate))
        expected = {k: round(float(v), 6) for k, v in zip(LABELS, chain.probabilities(scores), strict=True)}
        assert results[wav.name]["label"] == chain.label(scores)
        assert results[wav.name]["scores"] == pytest.approx(expected, abs=step + 1e-6)  # at most one output step
        labels.append(chain.label(scores))
    assert len(set(labels)) > 1, labels  # the model tells the clips apart: the comparison means something
    stream = chain.stream(read_wav(wavs[-1], spec.sample_rate))
    got = results["stream.wav"]
    assert [(d["label"], round(d["time_s"] * 1000)) for d in got["detections"]] == [
        (d.label, d.time_ms) for d in stream.detections
    ]
