"""The model checks (modules/vigil/src/model_check.c, tflite_reader.c) through the host library
only, fast enough to run against each of their mutants (`vigil bench mutation model_check.c
tflite_reader.c`): every crafted case of model_cases.py / test_model_check.py and every damaged
model of vigil.bench.model_damage is refused by the check it declares (and only by it), the real
models pass, and every schema field is checked where the schema puts it (schema_probes.py). No
QEMU, no TensorFlow, no subprocess; the expected verdicts come from the cases' declared check
names and from the flatbuffers runtime, never from the checker."""

from __future__ import annotations

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from vigil.bench import model_damage
from vigil.core import model_check as mc
from vigil.core.model_check import check_model

from . import schema_probes as probes
from .model_cases import status_of
from .test_model_check import CASES, crafted, generated  # noqa: F401  (generated: the fixture)

OK = mc.ModelCheck(0, "ok", -1, 0, "ok")
# model_damage's mutations the board can judge only with a resolver (without one it has none).
RESOLVER_CHECKS = {"op_unsupported", "op_version"}


def assert_refused_by(r: mc.ModelCheck, check: str, where) -> None:
    assert (r.check, r.status) == (check, status_of(check)), (where, r)
    if check == "ok":
        assert r == OK, (where, r)
    else:
        assert r.detail.isascii() and r.detail.isprintable() and 0 < len(r.detail) < mc.DETAIL_SIZE, (where, r)


# ---- the real models ----------------------------------------------------------------------------


def test_real_models_pass(generated, data_dir):  # noqa: F811
    for name, (data, expect, _) in generated.items():
        assert check_model(data, expect) == OK, name
        assert check_model(data) == OK, name
    for f in sorted((data_dir / "models").glob("*.tflite")):
        assert check_model(f.read_bytes()) == OK, f.name


# ---- the crafted cases ----------------------------------------------------------------------------


def test_crafted_models_are_refused_by_their_check(generated):  # noqa: F811
    for case in CASES:
        data, expect = crafted(generated, case)
        r = check_model(data, expect)
        assert_refused_by(r, case.check, case.id)
        assert case.detail in r.detail, (case.id, r)
        if case.value is not None:
            assert r.value == case.value, (case.id, r)


# ---- every schema field where the schema puts it ---------------------------------------------------


def test_schema_probes(generated):  # noqa: F811
    base = probes.base_model(generated["micro_speech_quantized"][0])
    assert check_model(base.data) == OK
    checked = probes.probes(schema)
    assert len(checked) > 1500
    for p in checked:
        r = check_model(probes.probe_model(base, p))
        want = "ok" if probes.expected_ok(p.kind, p) else "flatbuffer"
        assert r.check == want and r.status == status_of(want), (p.id, r)


# ---- model_damage's damaged models ------------------------------------------------------------


def damaged_models(generated):  # noqa: F811
    """(where, damaged bytes, the firmware's expectation, the check that must refuse it), from the
    quantized classifiers model_damage is written for (not the preprocessor: raw int16 input)."""
    for name in ("kws_ref_model", "vww_96_int8", "micro_speech_quantized"):
        data, expect, _ = generated[name]
        mutations = model_damage.INT8_MUTATIONS
        if name in ("kws_ref_model", "vww_96_int8"):
            mutations += model_damage.PER_CHANNEL_MUTATIONS
        for m in mutations:
            try:
                damaged = m.apply(data)
            except (StopIteration, ValueError, IndexError):
                continue  # the mutation does not apply to this model (no constant, no per-channel...)
            yield f"{name}: {m.name}", damaged, expect, m.check or "ok"


def test_damaged_models_are_refused_by_their_check(generated):  # noqa: F811
    seen = set()
    for where, damaged, expect, check in damaged_models(generated):
        if check not in RESOLVER_CHECKS:
            assert_refused_by(check_model(damaged), check, where)
        if check != "ok":  # an accepted change may alter the graph's I/O: judged without a header
            assert_refused_by(check_model(damaged, expect), check, where)
        seen.add(check)
    assert seen >= set(mc.CHECKS) - {"argument", "subgraphs", "io_mismatch", "arena"}
