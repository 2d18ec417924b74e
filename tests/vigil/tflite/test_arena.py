"""The tensor arena from the model alone, against TFLM's own RecordingMicroAllocator report.

The reference is TFLM's Python runtime (tflite_micro) measuring each model; the model-based
figures (vigil.tflite.persistent + the planner) must equal it category by category, for the
manifest models, the audio preprocessor and each prefix of it (one Signal op at a time), and
small TensorFlow-built models. Then the per-target estimate must equal what the measurement gives,
also where tflite_micro cannot be imported at all.
"""

import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import yaml

from tests.conftest import REPO
from tests.vigil.models.helpers import rewrite_model, with_builtin
from tests.vigil.tflite import small_models
from vigil.cli.main import main
from vigil.errors import VigilError
from vigil.tflite import arena, persistent, runtime
from vigil.tflite.arena import (
    MEASURED,
    MODEL,
    PROFILES,
    activation_buffers,
    estimate_arena,
    measure_host,
    model_host,
    plan_size,
)
from vigil.tflite.model import load_tflite, parse_tflite
from vigil.tflite.persistent import RecordedAllocation

MANIFEST_FILES = (
    "kws_ref_model.tflite",
    "vww_96_int8.tflite",
    "micro_speech_quantized.tflite",
    "audio_preprocessor_int8.tflite",
)
# What `vigil models codegen` wrote for cortex-m33 before the arena was computed from the model
# (from TFLM's measured tail); the README's table.
CORTEX_M33_BEFORE = {
    "kws_ref_model.tflite": 23_648,
    "vww_96_int8.tflite": 102_112,
    "micro_speech_quantized.tflite": 7_392,
}
# arena_used_bytes() of TFLM + CMSIS-NN built for Cortex-M33 (../shared/docs/qemu-cortex-m33.md, 2026-12-01).
CORTEX_M33_ARENA_USED = {
    "kws_ref_model.tflite": 22_820,
    "vww_96_int8.tflite": 100_708,
    "micro_speech_quantized.tflite": 6_836,
}
PREPROCESSOR = "audio_preprocessor_int8.tflite"
PREPROCESSOR_OPS = 22


@pytest.fixture(scope="session")
def small() -> dict:
    """The small models, converted once (cached under VIGIL_CACHE by a hash of their code)."""
    from vigil.settings import cache_dir

    return small_models.build(cache_dir())


def recorded(measured: runtime.HostArena) -> dict[str, RecordedAllocation]:
    return {k: RecordedAllocation(a.used, a.requested, a.count) for k, a in measured.allocations.items()}


def assert_equals_tflm(model):
    measured = runtime.measure_host_arena(model.data, len(model.inputs))
    ours = model_host(model)
    assert ours.allocations == recorded(measured)
    assert (ours.total, ours.head, ours.tail) == (measured.total, measured.head, measured.tail)
    assert ours.source == MODEL
    return measured


def preprocessor_prefix(model_mirror, ops: int) -> bytes:
    """The preprocessor cut after its first `ops` operators, the last one's output as the output.

    Tensors of the removed operators stay in the model untouched by any operator: TFLM still
    plans them (lifetime -1..-1) and keeps their eval tensors.
    """

    def cut(model):
        graph = model.subgraphs[0]
        graph.operators = graph.operators[:ops]
        graph.outputs = [graph.operators[-1].outputs[0]]

    return rewrite_model((model_mirror / PREPROCESSOR).read_bytes(), cut)


@pytest.mark.parametrize("name", MANIFEST_FILES)
def test_manifest_models_equal_tflm_category_by_category(model_mirror, name):
    measured = assert_equals_tflm(load_tflite(model_mirror / name))
    print(f"{name}: total {measured.total:,} head {measured.head:,} tail {measured.tail:,} (as TFLM reports)")


def test_kws_figures_are_the_documented_report(model_mirror):
    """The brief's figures, as TFLM printed them (a guard on the reference itself)."""
    ours = model_host(load_tflite(model_mirror / "kws_ref_model.tflite"))
    assert (ours.total, ours.head, ours.tail) == (24_272, 16_000, 8_272)
    assert [ours.allocations[c].used for c in persistent.RECORDED] == [840, 128, 64, 5556, 832]


@pytest.mark.parametrize("ops", range(1, PREPROCESSOR_OPS + 1))
def test_preprocessor_prefixes_equal_tflm(model_mirror, ops):
    """Each Signal op's own figures, builtin options in between, and arena ends both 16-aligned
    and 8 past (the runtime's arena is 10 x the flatbuffer size)."""
    data = preprocessor_prefix(model_mirror, ops)
    assert_equals_tflm(parse_tflite(data, model_mirror / f"{PREPROCESSOR}[:{ops}]"))


def test_prefixes_cover_both_arena_end_alignments(model_mirror):
    ends = {arena.host_arena_bytes(parse_tflite(preprocessor_prefix(model_mirror, k), "x")) % 16 for k in (1, 4)}
    assert ends == {0, 8}


@pytest.mark.slow  # the first one converts the small models with TensorFlow (cached after)
@pytest.mark.parametrize("name", sorted(small_models.MODELS))
def test_small_models_equal_tflm(small, name):
    assert_equals_tflm(load_tflite(small[name]))


@pytest.mark.slow  # the first one converts the small models with TensorFlow (cached after)
def test_every_figure_in_the_table_is_exercised(small, model_mirror):
    """No operator in persistent.yml without a model above that checks it against TFLM."""
    seen = set()
    for path in [*small.values(), *(model_mirror / n for n in MANIFEST_FILES)]:
        seen |= {op.op for op in load_tflite(path).operators}
    assert set(persistent.table()["ops"]) == seen


@pytest.mark.slow  # the first one converts the small models with TensorFlow (cached after)
def test_per_channel_multipliers_follow_the_output_channels(small):
    """The one figure that scales: 2 x 4 bytes per output channel for conv and depthwise, per
    filter scale for a per-channel dense layer, none for a one-scale one (edge: exactly 1)."""

    def per_channel_bytes(name):
        return sum(r.size for r in persistent.tail_model(load_tflite(small[name])).requests if "per_channel" in r.what)

    names = ("conv_c1", "conv_c17_1x1_valid", "depthwise_c5_mult2", "dense_1", "dense_5_per_tensor", "dense_5")
    assert {name: per_channel_bytes(name) for name in names} == {
        "conv_c1": 8,
        "conv_c17_1x1_valid": 8 * 17,
        "depthwise_c5_mult2": 8 * 10,
        "dense_1": 0,
        "dense_5_per_tensor": 0,
        "dense_5": 8 * 5,
    }


@pytest.mark.parametrize("name", MANIFEST_FILES)
def test_estimates_for_every_profile_equal_the_measured_path(model_mirror, name):
    model = load_tflite(model_mirror / name)
    measured = measure_host(model)
    for profile in PROFILES:
        ours = estimate_arena(model, profile)
        old = estimate_arena(model, profile, measured)
        assert ours.host_source == MODEL and old.host_source == MEASURED
        assert (ours.bytes, ours.head, ours.tail, ours.scratch) == (old.bytes, old.head, old.tail, old.scratch)
        assert (ours.host_total, ours.host_head, ours.host_tail) == (old.host_total, old.host_head, old.host_tail)
    if name in CORTEX_M33_BEFORE:
        assert estimate_arena(model, "cortex-m33").bytes == CORTEX_M33_BEFORE[name]


@pytest.mark.slow  # the first one converts the small models with TensorFlow (cached after)
@pytest.mark.parametrize("name", sorted(small_models.MODELS))
def test_small_model_estimates_equal_the_measured_path(small, name):
    model = load_tflite(small[name])
    measured = measure_host(model)
    for profile in PROFILES:
        assert estimate_arena(model, profile).bytes == estimate_arena(model, profile, measured).bytes


def test_host_arena_size_is_the_runtimes():
    assert (arena.HOST_ARENA_MIN, arena.HOST_ARENA_FACTOR) == (runtime.HOST_ARENA_MIN, runtime.HOST_ARENA_FACTOR)


@pytest.fixture()
def table_without_softmax(monkeypatch):
    entries = yaml.safe_load(yaml.safe_dump(persistent.table()))
    del entries["ops"]["SOFTMAX"]
    monkeypatch.setattr(persistent, "table", lambda: entries)


def test_an_op_the_table_lacks_is_measured_and_says_so(model_mirror, table_without_softmax):
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    with pytest.raises(persistent.NotCovered, match="no tensor-arena figures for operator SOFTMAX"):
        model_host(model)
    estimate = estimate_arena(model, "cortex-m33")
    assert estimate.host_source == MEASURED
    assert "kws_ref_model.tflite" in estimate.host_note and "SOFTMAX" in estimate.host_note
    assert estimate.bytes == CORTEX_M33_BEFORE["kws_ref_model.tflite"]


def test_a_case_the_table_does_not_cover_is_not_guessed(model_mirror):
    """SignalRfft's figures were checked for int16 only: an int32 one is not computed."""

    def to_int32(model):
        graph = model.subgraphs[0]
        rfft = graph.operators[3]
        graph.tensors[rfft.inputs[0]].type = 2  # INT32

    model = parse_tflite(rewrite_model((model_mirror / PREPROCESSOR).read_bytes(), to_int32), "pre.tflite")
    with pytest.raises(persistent.NotCovered) as e:
        model_host(model)
    assert str(e.value) == (
        "pre.tflite: no tensor-arena figures for operator SignalRfft with inputs int32 (vigil/tflite/persistent.yml)"
    )


UNIMPORTABLE = textwrap.dedent(
    """
    import json, sys
    sys.path[:0] = {paths!r}
    sys.modules["tflite_micro"] = None  # before anything of vigil: the parser does not need it either
    from vigil.tflite.model import load_tflite, parse_tflite
    models = {{name: load_tflite(path) for name, path in {files!r}.items()}}
    unknown = parse_tflite(open({unknown!r}, "rb").read(), {unknown!r})
    assert "vigil.tflite.arena" not in sys.modules and "vigil.tflite.runtime" not in sys.modules

    from vigil.errors import VigilError
    from vigil.tflite.arena import PROFILES, estimate_arena
    out = {{name: {{p: estimate_arena(m, p).bytes for p in PROFILES}} for name, m in models.items()}}
    try:
        estimate_arena(unknown)
        refused = None
    except VigilError as e:
        refused = str(e)
    import vigil.tflite.runtime
    try:
        vigil.tflite.runtime.tflm()
        runtime = "usable"
    except VigilError as e:
        runtime = str(e)
    print(json.dumps({{"estimates": out, "refused": refused, "runtime": runtime}}))
    """
)


def test_arena_module_imports_without_tflite_micro():
    script = f"import sys; sys.path[:0] = {[p for p in sys.path if p]!r}; sys.modules['tflite_micro'] = None; "
    script += "import vigil.tflite.arena; assert 'vigil.tflite.runtime' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_without_tflite_micro_the_estimates_are_the_same_and_an_unknown_op_is_refused(model_mirror, tmp_path):
    kws = (model_mirror / "kws_ref_model.tflite").read_bytes()
    unknown = tmp_path / "kws_log_softmax.tflite"
    unknown.write_bytes(with_builtin(kws, "SOFTMAX", "LOG_SOFTMAX"))
    files = {name: str(model_mirror / name) for name in MANIFEST_FILES}
    paths = [p for p in sys.path if p]
    script = UNIMPORTABLE.format(paths=paths, files=files, unknown=str(unknown))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "pip install 'vigil[models]'" in result["runtime"]
    for name in MANIFEST_FILES:
        model = load_tflite(model_mirror / name)
        measured = measure_host(model)
        assert result["estimates"][name] == {p: estimate_arena(model, p, measured).bytes for p in PROFILES}
    assert result["refused"] == (
        f"{unknown}: no tensor-arena figures for operator LOG_SOFTMAX (vigil/tflite/persistent.yml); "
        "install tflite-micro to measure it (pip install 'vigil[models]')"
    )


CODEGEN_UNIMPORTABLE = textwrap.dedent(
    """
    import sys
    sys.path[:0] = {paths!r}
    sys.modules["tflite_micro"] = None  # any import of it fails
    from vigil.cli.main import main
    for name, out in {jobs!r}:
        assert main(["models", "codegen", name, "--out", out]) == 0
    """
)
ARENA_DEFINE = re.compile(r"#define VIGIL_MODEL_\w+_ARENA_BYTES_(\w+) (\d+)u")


def test_codegen_without_tflite_micro_writes_the_measured_arenas(model_mirror, tmp_path):
    """`vigil models codegen` as a Zephyr build runs it, with no TFLM: the headers carry, for every
    target, the figure the measured path gives, and the sources equal the full install's."""
    names = {"kws_ref_model": "kws_ref_model.tflite", "micro_speech_quantized": "micro_speech_quantized.tflite"}
    names[str(model_mirror / PREPROCESSOR)] = PREPROCESSOR
    jobs = [(name, str(tmp_path / "plain" / file)) for name, file in names.items()]
    script = CODEGEN_UNIMPORTABLE.format(paths=[p for p in sys.path if p], jobs=jobs)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    for name, file in names.items():
        assert main(["models", "codegen", name, "--out", str(tmp_path / "full" / file)]) == 0
        plain = {p.name: p.read_bytes() for p in (tmp_path / "plain" / file).iterdir()}
        full = {p.name: p.read_bytes() for p in (tmp_path / "full" / file).iterdir()}
        assert plain == full and len(plain) == 3
        header = next(text.decode() for n, text in plain.items() if n.endswith("_model.h"))
        model = load_tflite(model_mirror / file)
        measured = measure_host(model)
        expected = {p.upper().replace("-", "_"): estimate_arena(model, p, measured).bytes for p in PROFILES}
        assert {m: int(b) for m, b in ARENA_DEFINE.findall(header)} == expected


def test_cli_inspect_json_says_where_the_host_figures_come_from(cli):
    code, out, _ = cli("models", "inspect", "kws_ref_model", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["arena_bytes"] == CORTEX_M33_BEFORE["kws_ref_model.tflite"]
    assert doc["arena"]["host_source"] == MODEL and doc["arena"]["host_note"] == ""
    assert doc["arena"]["host_measured"] == {"total": 24_272, "head": 16_000, "tail": 8_272}


# The estimate against the hardware and TFLM itself (moved from tests/vigil/models/test_inspect.py).


@pytest.mark.parametrize("name", sorted(CORTEX_M33_ARENA_USED))
def test_cortex_m33_arena_is_an_upper_bound_within_15_percent(model_mirror, name):
    measured = CORTEX_M33_ARENA_USED[name]
    estimate = estimate_arena(load_tflite(model_mirror / name), "cortex-m33").bytes
    print(f"{name}: estimate {estimate:,} for {measured:,} used on Cortex-M33 ({estimate / measured:.3f}x)")
    assert measured <= estimate <= 1.15 * measured


@pytest.mark.parametrize("name", MANIFEST_FILES)
def test_planner_reproduces_tflm_head_and_host_total(model_mirror, name):
    model = load_tflite(model_mirror / name)
    host = runtime.measure_host_arena(model.data, len(model.inputs))
    assert plan_size(activation_buffers(model)) == host.head
    # On a 64-bit target with reference kernels the estimate is the host's own figure.
    assert estimate_arena(model, "native_sim_64").bytes == host.total + (-host.total % 16)


def test_arena_estimate_runs_the_model_in_that_arena(model_mirror):
    """The 64-bit host needs more than a 32-bit target; the estimate for it must suffice."""
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    size = estimate_arena(model, "native_sim_64").bytes
    interpreter = runtime.make_interpreter(model.data, arena_size=size)
    out = runtime.invoke(interpreter, runtime.zero_inputs(interpreter, 1))
    assert out[0].shape == (1, 12)
    with pytest.raises(VigilError, match="could not load"):
        small = runtime.make_interpreter(model.data, arena_size=size - 2048)
        runtime.invoke(small, [np.zeros((1, 49, 10, 1), np.int8)])


def test_dsp_extension_adds_cmsis_nn_scratch(model_mirror):
    model = load_tflite(model_mirror / "kws_ref_model.tflite")
    with_dsp = estimate_arena(model, "cortex-m33")
    without = estimate_arena(model, "cortex-m33-nodsp")
    assert ("AVERAGE_POOL_2D", 64 * 4) in [(op, b) for _, op, b in with_dsp.scratch]
    assert "AVERAGE_POOL_2D" not in [op for _, op, _ in without.scratch]
