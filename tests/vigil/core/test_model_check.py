"""The portable core's model checks (modules/vigil/src/model_check.c), the code the firmware runs
before TFLM sees a model: every manifest model passes against the expectation codegen writes,
every check refuses the models crafted to violate it (model_cases.py and below), every field of
the schema is checked where the schema puts it (schema_probes.py), damaged models never crash the
checker nor pass it with broken structure (TensorFlow's flatbuffer verifier is the judge), and
the Cortex-M33 under QEMU and an ASan/UBSan build give the host's verdicts."""

from __future__ import annotations

import ctypes as C
import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tests.tools import require_tool
from vigil.core import model_check as mc
from vigil.core.model_check import ModelExpect, check_model, expect_lines, report_from_bytes
from vigil.core.qemu import QemuBatch
from vigil.models.codegen import codegen
from vigil.models.expectation import model_expectation
from vigil.models.resolve import resolve_model

from . import schema_probes as probes
from .model_cases import (
    STATUS,
    Case,
    cases,
    header_expectation,
    obj,
    put,
    raw,
    root,
    status_of,
    structure_positions,
    used_operators,
)

REPO = Path(__file__).resolve().parents[3]
CORE = REPO / "modules" / "vigil"
# Generated name -> (manifest model, file role): the firmware models and the preprocessor.
MODELS = {
    "kws_ref_model": ("kws_ref_model", "int8"),
    "vww_96_int8": ("vww_96_int8", "int8"),
    "micro_speech_quantized": ("micro_speech_quantized", "int8"),
    "audio_preprocessor_int8": ("micro_speech_quantized", "preprocessor"),
}


# ---- crafted cases of the fields TFLite's verifier checks and the first checks did not read ------


def _vtable_entry(d: bytes, table_pos: int, field: int) -> int:
    """Position of `field`'s entry in the vtable of the table at `table_pos`."""
    return table_pos - struct.unpack_from("<i", d, table_pos)[0] + 4 + 2 * field


def _shift_field(table_of, field: int, change):
    def edit(d: bytes) -> bytes:
        entry = _vtable_entry(d, table_of(d), field)
        return put(d, entry, "<H", change(struct.unpack_from("<H", d, entry)[0]))

    return edit


def _options_of(code: int):
    def table_of(d: bytes) -> int:
        g = root(d).Subgraphs(0)
        return next(
            op.BuiltinOptions().Pos
            for op in map(g.Operators, range(g.OperatorsLength()))
            if op.BuiltinOptionsType() == code
        )

    return table_of


def _debug_indices(m):
    m.subgraphs[0].debugMetadataIndex = 0
    m.subgraphs[0].operators[0].debugMetadataIndex = 0


def _with_debug_indices(table_of, field: int):
    """debug_metadata_index written (object API), then its vtable entry one byte on: misaligned."""

    def run(data, expect):
        return _shift_field(table_of, field, lambda o: o + 1)(obj(_debug_indices)(data, expect)[0]), expect

    return run


def _unknown_field_past_table(data, expect):
    """Field 7 of a DepthwiseConv2DOptions (the schema has 0..6) where its table ends: TFLite's
    verifier reads no field its schema lacks; the checker refuses it as a builder never writes it."""
    where = probes.Target("builtin_options", "DepthwiseConv2DOptions", schema.BuiltinOptions.DepthwiseConv2DOptions)
    probe = probes.Probe(where, 7, ".", probes.PAST_TABLE)
    return probes.probe_model(probes.base_model(data), probe), expect


def _tensor_external_buffer(m):
    group, external = schema.ExternalBufferGroupT(), schema.ExternalBufferT()
    group.name, external.id, external.length, external.packing = b"weights.bin", 1, 640, b"unpacked"
    m.externalBufferGroups, m.externalBuffers = [group], [external]
    w = m.subgraphs[0].tensors[m.subgraphs[0].operators[0].inputs[1]]
    w.externalBuffer = 1


STRUCTURE_CASES = [
    # The full suite's refused mutant (byte 17293 0x00 -> 0x80): DepthwiseConv2DOptions.depth_multiplier
    # of micro_speech_quantized's operator 1 at 17296 + 0x8010, past the end of the 18800 bytes.
    Case(
        "options-field-past-end",
        "micro_speech_quantized",
        "flatbuffer",
        raw(_shift_field(_options_of(schema.BuiltinOptions.DepthwiseConv2DOptions), 3, lambda o: o | 0x8000)),
        "operator builtin_options at byte 17296: field outside its table",
    ),
    Case(
        "options-field-misaligned",
        "kws_ref_model",
        "flatbuffer",
        raw(_shift_field(_options_of(schema.BuiltinOptions.Conv2DOptions), 1, lambda o: o + 1)),
        "operator builtin_options at byte",
    ),
    Case(
        "unknown-field-past-table",
        "micro_speech_quantized",
        "flatbuffer",
        _unknown_field_past_table,
        "operator builtin_options at byte",
    ),
    Case(
        "subgraph-debug-index-misaligned",
        "kws_ref_model",
        "flatbuffer",
        _with_debug_indices(lambda d: root(d).Subgraphs(0)._tab.Pos, 5),
        "subgraph debug_metadata_index",
    ),
    Case(
        "operator-debug-index-misaligned",
        "kws_ref_model",
        "flatbuffer",
        _with_debug_indices(lambda d: root(d).Subgraphs(0).Operators(0)._tab.Pos, 13),
        "operator debug_metadata_index",
    ),
    Case(
        "tensor-external-buffer",
        "kws_ref_model",
        "external_data",
        obj(_tensor_external_buffer),
        "subgraph 0 tensor 17 keeps its data in external buffer 1",  # operator 0's weights
        1,
    ),
]
CASES = cases() + STRUCTURE_CASES


@pytest.fixture(scope="module")
def generated(manifest, tmp_path_factory) -> dict[str, tuple[bytes, ModelExpect, str]]:
    """name -> (model bytes, the expectation its generated header holds, the header and resolver text)."""
    return generate_models(manifest, tmp_path_factory)


def generate_models(manifest, tmp_path_factory) -> dict[str, tuple[bytes, ModelExpect, str]]:
    out = {}
    for name, (model, role) in MODELS.items():
        resolved = resolve_model(model, manifest, role=role)
        folder = tmp_path_factory.mktemp(name)
        codegen(resolved, folder)
        header = (folder / f"{resolved.name}_model.h").read_text()
        resolver = (folder / f"{resolved.name}_op_resolver.h").read_text()
        out[name] = (resolved.model.data, header_expectation(header, resolved.name.upper()), header + resolver)
    return out


def verdict(r: mc.ModelCheck) -> tuple:
    return (r.status, r.check, r.index, r.value, r.detail)


# ---- the real models ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
def test_manifest_models_pass_with_the_generated_expectation(generated, name):
    data, expect, _ = generated[name]
    # The header's lists are the operators the model's operators use, by TFLM's schema reader.
    used = used_operators(data)
    assert {(("builtin", c), v) for c, v in expect.builtin_ops} | {
        (("custom", n), v) for n, v in expect.custom_ops
    } == set(used.items())
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    g = model.subgraphs[0]
    for want, index in zip(expect.inputs + expect.outputs, list(g.inputs) + list(g.outputs), strict=True):
        t = g.tensors[index]
        assert (want.type, want.shape) == (t.type, tuple(int(d) for d in t.shape))
        scales = [] if t.quantization is None or t.quantization.scale is None else list(t.quantization.scale)
        assert want.scale == (float(C.c_float(scales[0]).value) if scales else 0.0)
    # ... and as many as the generated op resolver registers (one resolver.Add...() call each).
    assert len(re.findall(r"resolver\.Add\w+\(", generated[name][2])) == len(used)
    assert check_model(data, expect) == mc.ModelCheck(0, "ok", -1, 0, "ok")
    assert check_model(data).ok
    # The host tools' expectation equals the generated header's (arena aside: the test adds a margin).
    tools = model_expectation(model_from(data), expect.arena_required, expect.arena_reserved)
    assert tools == expect


def test_every_shared_model_file_passes(data_dir):
    """The float models too (codegen refuses float I/O): with the host tools' expectation of them."""
    files = sorted((data_dir / "models").glob("*.tflite"))
    assert {"audio_preprocessor_float.tflite", "audio_preprocessor_int8.tflite"} <= {f.name for f in files}
    for f in files:
        data = f.read_bytes()
        assert check_model(data).ok, f.name
        assert check_model(data, model_expectation(model_from(data), 1 << 20)).ok, f.name


def model_from(data: bytes):
    from vigil.tflite.model import parse_tflite

    return parse_tflite(data, Path("model.tflite"))


def old_rule_refuses(data: bytes, expect: ModelExpect) -> int | None:
    """The runner's former check_ops(): every entry of operator_codes must be in the resolver."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    builtins = {c for c, _ in expect.builtin_ops}
    customs = {n for n, _ in expect.custom_ops}
    for code in model.operatorCodes:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        custom = builtin == schema.BuiltinOperator.CUSTOM
        if (custom and (code.customCode or b"").decode() not in customs) or (not custom and builtin not in builtins):
            return builtin
    return None


def test_vww_passes_although_it_lists_unused_operator_codes(generated):
    """The boot bug: vww_96_int8 lists QUANTIZE (114) and DEQUANTIZE (6), which no operator uses."""
    data, expect, header = generated["vww_96_int8"]
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    listed = {max(c.builtinCode, c.deprecatedBuiltinCode) for c in model.operatorCodes}
    assert {114, 6} <= listed and not {114, 6} & {c for c, _ in expect.builtin_ops}
    assert "VIGIL_MODEL_VWW_96_INT8_BUILTIN_OPS { 3, 4, 1, 22, 9, 25 }" in header
    assert old_rule_refuses(data, expect) == 114  # "operator builtin 114 is not in the op resolver"
    assert check_model(data, expect).ok
    for other in ("kws_ref_model", "micro_speech_quantized", "audio_preprocessor_int8"):
        assert old_rule_refuses(*generated[other][:2]) is None  # they list only what they use


# ---- crafted violations --------------------------------------------------------------------------


def crafted(generated, case) -> tuple[bytes, ModelExpect | None]:
    data, expect, _ = generated[case.model]
    return case.edit(data, expect)


def test_every_check_has_a_crafted_violation():
    refused = {c.check for c in CASES}
    assert refused >= set(mc.CHECKS) - {"ok", "argument"}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_crafted_model_is_refused_by_its_check(generated, case):
    data, expect = crafted(generated, case)
    r = check_model(data, expect)
    assert (r.check, r.status) == (case.check, status_of(case.check)), r
    assert case.detail in r.detail, r
    if case.value is not None:
        assert r.value == case.value, r
    assert r.detail.isascii() and r.detail.isprintable() and 0 < len(r.detail) < mc.DETAIL_SIZE


def test_check_names_match_the_c_enum():
    assert [mc.check_name(i) for i in range(len(mc.CHECKS))] == list(mc.CHECKS)
    assert mc.check_name(len(mc.CHECKS)) == "unknown" and mc.check_name(-1) == "unknown"
    assert set(STATUS) <= set(mc.CHECKS)


def test_bad_arguments_are_refused_without_reading(generated):
    data, expect, _ = generated["kws_ref_model"]
    lib = mc._lib()
    raw, address = mc.aligned_copy(data)
    report = mc._Report()
    for addr, size in ((address + 1, len(data) - 1), (address + 8, len(data) - 8), (None, 5)):
        assert lib.vigil_model_check(addr, size, None, C.byref(report)) == STATUS["argument"]
        assert mc.check_name(report.check) == "argument"
    assert lib.vigil_model_check(address, len(data), None, None) == STATUS["argument"]
    keep = mc._Keep()
    broken = mc._struct(expect, keep)
    broken.custom_ops = None
    broken.num_custom_ops = 1
    assert lib.vigil_model_check(address, len(data), C.byref(broken), C.byref(report)) == STATUS["argument"]
    assert report.detail == b"inconsistent expectation"
    del raw


def test_first_failing_check_in_list_order_wins(generated):
    """A model with several faults reports the earliest check of the list (the documented order)."""
    data, expect, _ = generated["kws_ref_model"]
    by_id = {c.id: c for c in CASES}
    bad_version, _ = by_id["schema-version-99"].edit(data, expect)
    both, _ = by_id["weights-cut-to-10"].edit(bad_version, expect)
    assert check_model(both, expect).check == "schema_version"
    both = by_id["op-version-99"].edit(by_id["input-scale-0"].edit(data, expect)[0], expect)[0]
    assert check_model(both, expect).check == "quantization"


# ---- every field of the schema where the schema puts it ---------------------------------------------


@pytest.fixture(scope="module")
def probe_base(generated) -> probes.Base:
    return probes.base_model(generated["micro_speech_quantized"][0])


def test_tflm_schema_has_every_field_tensorflows_verifier_checks():
    """The checker follows TFLM's schema (schema_py_generated of TFLM's Python package): every field
    TensorFlow's schema has in the probed tables has the same kind there, so it is as strict."""
    tf = probes.tensorflow_schema()
    tflm_targets = {t.name: probes.layout(schema, t.table) for t in probes.targets(schema)}
    tf_targets = {t.name: probes.layout(tf, t.table) for t in probes.targets(tf)}
    assert set(tf_targets) <= set(tflm_targets)
    for name, fields in tf_targets.items():
        assert all(k == "." or tflm_targets[name][i] == k for i, k in enumerate(fields)), name
    # What the schemas are: 126 + 23 option tables, 3 + 3 more members, the plain tables.
    assert len(tflm_targets) == 126 + 23 + 3 + 3 + 4
    assert tflm_targets["builtin_options:DepthwiseConv2DOptions"] == "biiibii"
    assert tflm_targets["builtin_options:ResizeBilinearOptions"] == "..bb"  # two deprecated fields
    assert tflm_targets["external_buffer:ExternalBuffer"] == "iills"


def test_every_schema_field_is_checked_where_the_schema_puts_it(probe_base):
    """One field of an option table, quantization details, sparsity or external buffer table at a
    time: zeros at each alignment, a vector with exactly its bytes, one fewer, a string with and
    without its NUL. Expected: TFLM's schema module (scalars aligned to their size, an offset not 0,
    a vector inside the data, a string with its NUL; fields it does not know, never judged)."""
    assert check_model(probe_base.data).ok
    checked = probes.probes(schema)
    assert len(checked) > 1500
    wrong = []
    for p in checked:
        r = check_model(probes.probe_model(probe_base, p))
        if r.ok != probes.expected_ok(p.kind, p) or r.check not in ("ok", "flatbuffer"):
            wrong.append((p.id, r.check, r.detail))
    assert not wrong, f"{len(wrong)} of {len(checked)}: {wrong[:10]}"


@pytest.mark.slow
def test_tensorflows_verifier_judges_the_probes_as_its_schema_says(probe_base, tmp_path):
    """The oracle for the rule above: TensorFlow's verifier refuses exactly the probes its own
    schema module says are broken (it does not know a few of TFLM's newer fields: accepted)."""
    tf = probes.tensorflow_schema()
    members = {p: probes.union_members(tf, u) for p, u in probes.TARGET_UNIONS.items()}
    (tmp_path / "base.tflite").write_bytes(probe_base.data)
    files = {}
    for k, p in enumerate(probes.probes(schema)):
        known = p.target.union is None or members[p.target.pointer].get(p.target.union) == p.target.table
        fields = probes.layout(tf, p.target.table) if known else ""
        files[str(tmp_path / f"probe{k}.tflite")] = (p, fields[p.field] if p.field < len(fields) else ".")
        (tmp_path / f"probe{k}.tflite").write_bytes(probes.probe_model(probe_base, p))
    verdicts = tf_verifier([tmp_path / "base.tflite", *map(Path, files)])
    assert verdicts.pop(str(tmp_path / "base.tflite")) == "verified"
    assert len(verdicts) == len(files)
    wrong = []
    for f, v in verdicts.items():
        p, kind = files[f]
        if (v == "verified") != probes.expected_ok(kind, p):
            wrong.append((p.id, kind, v))
    assert not wrong, f"{len(wrong)} of {len(files)}: {wrong[:10]}"
    refused = sum(v == "refused" for v in verdicts.values())
    print(f"TensorFlow's verifier: {refused} of {len(files)} probes refused, as its schema says")


# ---- damaged models ------------------------------------------------------------------------------

INTERESTING_WORDS = [0, 1, 2, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFC, 0x10000]


def mutate(data: bytes, structure, mutations) -> bytes:
    out = bytearray(data)
    for kind, where, on_structure, value in mutations:
        if not out:
            break
        pool = structure if on_structure and len(structure) else range(len(out))
        pos = int(pool[int(where * len(pool)) % len(pool)]) % len(out)
        if kind == "flip":
            out[pos] ^= 1 << (value % 8)
        elif kind == "byte":
            out[pos] = value % 256
        elif kind == "word":
            word = INTERESTING_WORDS[value % len(INTERESTING_WORDS)] if value < 64 else value % (1 << 32)
            pos &= ~3
            out[pos : pos + 4] = word.to_bytes(4, "little")[: len(out) - pos]
        elif kind == "zeros":
            out[pos : pos + 1 + value % 64] = bytes(len(out[pos : pos + 1 + value % 64]))
        elif kind == "truncate":
            del out[pos:]
    return bytes(out)


MUTATION_KINDS = ("flip", "flip", "byte", "word", "zeros", "truncate")


def random_mutations(rng: random.Random, most: int = 4) -> list[tuple[str, float, bool, int]]:
    """1 to `most` mutations for mutate(): 4 in 5 on the structure (outside the weights), half of the
    values small (for "word", an index into INTERESTING_WORDS), the others any 32-bit word."""
    return [
        (
            rng.choice(MUTATION_KINDS),
            rng.random(),
            rng.random() < 0.8,
            rng.randrange(64) if rng.random() < 0.5 else rng.getrandbits(32),
        )
        for _ in range(rng.randint(1, most))
    ]


def fuzz_plan(names: list[str], count: int, seed: int) -> list[tuple[str, list]]:
    """The damaged models of the fuzz test: (model name, mutations), a function of the seed alone.

    Not Hypothesis: even derandomized, its generator draws 1 value in 20 from the constants of
    every project module loaded in the process (hypothesis.internal.conjecture.providers,
    _get_local_constants), so the mutants of the full suite were not those of this file alone."""
    rng = random.Random(seed)
    return [(rng.choice(names), random_mutations(rng)) for _ in range(count)]


FUZZ_EXAMPLES = 3000
FUZZ_SEED = 3
PLAN_DIGEST = textwrap.dedent(
    """
    import hashlib, importlib, pkgutil, sys
    if sys.argv[1] == "everything":  # every project module, as a full-suite run has them loaded
        import vigil
        for m in pkgutil.walk_packages(vigil.__path__, "vigil."):
            if not m.name.endswith("__main__"):
                importlib.import_module(m.name)
    from tests.vigil.core.test_model_check import FUZZ_EXAMPLES, FUZZ_SEED, MODELS, fuzz_plan
    plan = fuzz_plan(sorted(MODELS), FUZZ_EXAMPLES, FUZZ_SEED)
    print(len(sys.modules), hashlib.sha256(repr(plan).encode()).hexdigest())
    """
)


def test_fuzz_plan_is_the_same_whatever_the_process_imported():
    """The full suite failed where this file alone passed: its mutants were other ones."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "scripts"), str(REPO)])}
    runs = {}
    for mode in ("alone", "everything"):
        out = subprocess.run(
            [sys.executable, "-c", PLAN_DIGEST, mode], capture_output=True, text=True, timeout=300, cwd=REPO, env=env
        )
        assert out.returncode == 0, out.stderr[-2000:]
        runs[mode] = out.stdout.split()
    assert int(runs["everything"][0]) > int(runs["alone"][0]) + 50, runs  # many more modules loaded
    assert runs["everything"][1] == runs["alone"][1]


SAMPLE = 200  # damaged models that passed, given to TensorFlow's verifier

TF_VERIFIER = textwrap.dedent(
    """
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # a crash past the verifier, in TFLite's interpreter, must not stop the run
            os.close(r)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            try:
                tf.lite.Interpreter(model_content=data)
                message = "loaded"
            except Exception as e:
                message = str(e)
            os.write(w, message.encode()[:200])
            os._exit(0)
        os.close(w)
        message = os.read(r, 256).decode(errors="replace")
        os.waitpid(pid, 0)
        print(path, "refused" if "not a valid Flatbuffer" in message else "verified", flush=True)
    """
)


def tf_verifier(paths: list[Path]) -> dict[str, str]:
    """TensorFlow's flatbuffer verifier (tf.lite.Interpreter's VerifyAndBuildFromBuffer) on each file."""
    out = subprocess.run(
        [sys.executable, "-c", TF_VERIFIER, *map(str, paths)], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return dict(line.rsplit(" ", 1) for line in out.stdout.splitlines())


@pytest.mark.slow
def test_damaged_models_never_crash_the_checker_nor_pass_with_broken_structure(generated, tmp_path):
    """Seeded: bit flips, byte and word overwrites, zeroed runs and truncations of the real models,
    biased to the bytes outside the weights. The checker runs in this process: a crash is a failure."""
    reals = {name: (data, expect, structure_positions(data)) for name, (data, expect, _) in generated.items()}
    accepted: list[tuple[int, bytes]] = []  # a seeded reservoir sample of the damaged models that passed
    passed = 0
    pick = random.Random(3)
    seen_checks: set[str] = set()
    verdicts_without_expectation: Counter[str] = Counter()
    plan = fuzz_plan(sorted(reals), FUZZ_EXAMPLES, FUZZ_SEED)
    for example, (name, mutations) in enumerate(plan):
        data, expect, structure = reals[name]
        damaged = mutate(data, structure, mutations)
        where = f"example {example}: {name} {mutations}"
        for e in (None, expect):
            r = check_model(damaged, e)
            seen_checks.add(r.check)
            assert r.check in mc.CHECKS and r.status == status_of(r.check), (where, r)
            assert r.detail.isascii() and r.detail.isprintable() and r.detail, (where, r)
            if damaged == data:
                assert r.ok, (where, r)
        r = check_model(damaged)
        verdicts_without_expectation[r.check] += 1
        if len(damaged) < len(data) - 3:  # a truncation into a real model's structure
            assert not r.ok, (where, r)
        if r.ok and damaged != data:
            passed += 1
            if len(accepted) < SAMPLE:
                accepted.append((example, damaged))
            elif (k := pick.randrange(passed)) < SAMPLE:
                accepted[k] = (example, damaged)
    assert {"flatbuffer", "trailing", "tensor_index", "quantization", "buffer_size"} <= seen_checks
    assert accepted, "no damaged model passed: the oracle below would check nothing"
    files = []
    for example, damaged in accepted:
        files.append(tmp_path / f"accepted-example-{example}.tflite")  # plan[example] made it
        files[-1].write_bytes(damaged)
    # The oracle refuses what is broken: a truncated model and a root offset past the end.
    kws = generated["kws_ref_model"][0]
    (tmp_path / "broken1.tflite").write_bytes(kws[: len(kws) // 2])
    (tmp_path / "broken2.tflite").write_bytes(len(kws).to_bytes(4, "little") + kws[4:])
    verdicts = tf_verifier([tmp_path / "broken1.tflite", tmp_path / "broken2.tflite", *files])
    assert verdicts.pop(str(tmp_path / "broken1.tflite")) == "refused"
    assert verdicts.pop(str(tmp_path / "broken2.tflite")) == "refused"
    refused = [p for p, v in verdicts.items() if v != "verified"]
    assert not refused and len(verdicts) == len(files), refused
    sample = hashlib.sha256(b"".join(d for _, d in accepted)).hexdigest()[:16]
    print(
        f"fuzz: {FUZZ_EXAMPLES} damaged models, verdicts {dict(sorted(verdicts_without_expectation.items()))}; "
        f"{passed} passed; TensorFlow's verifier verified all {len(files)} sampled (sha256 {sample})"
    )


def corpus(generated, count: int, seed: int) -> list[tuple[str, bytes, ModelExpect | None]]:
    """The crafted cases and `count` seeded damaged models (for QEMU and the sanitizer build)."""
    items = [(c.id, *crafted(generated, c)) for c in CASES]
    rng = random.Random(seed)
    names = sorted(generated)
    for k in range(count):
        name = names[k % len(names)]
        data, expect, _ = generated[name]
        mutations = random_mutations(rng, most=3)
        items.append(
            (f"{name}-damaged-{k}", mutate(data, structure_positions(data), mutations), expect if k % 2 else None)
        )
    return items


@pytest.mark.slow
def test_cortex_m33_gives_the_host_verdicts(generated):
    items = corpus(generated, 60, seed=11)
    batch = QemuBatch()
    jobs = [(name, batch.model_check(data, expect), data, expect) for name, data, expect in items]
    outputs = batch.run().outputs
    for name, job, data, expect in jobs:
        assert verdict(report_from_bytes(outputs[job].tobytes())) == verdict(check_model(data, expect)), name


@pytest.mark.slow
def test_sanitizer_build_reports_nothing_on_the_corpus(generated, tmp_path):
    gcc = require_tool("gcc")
    driver = tmp_path / "driver"
    build = subprocess.run(
        [
            gcc,
            "-std=c11",
            "-g",
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
            "-Wall",
            "-Wextra",
            "-Werror",
            f"-I{CORE / 'include'}",
            str(Path(__file__).with_name("model_check_driver.c")),
            str(CORE / "src" / "model_check.c"),
            str(CORE / "src" / "tflite_reader.c"),
            str(CORE / "src" / "status.c"),
            "-o",
            str(driver),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    items = corpus(generated, 400, seed=12)
    lines, expected = [], []
    for k, (_, data, expect) in enumerate(items):
        (tmp_path / f"m{k}.tflite").write_bytes(data)
        (tmp_path / f"e{k}.txt").write_text(expect_lines(expect))
        lines.append(f"{tmp_path / f'm{k}.tflite'} {tmp_path / f'e{k}.txt'}")
        r = check_model(data, expect)
        expected.append(f"{r.status} {r.check} {r.index} {r.value} {r.detail}")
    (tmp_path / "list.txt").write_text("\n".join(lines) + "\n")
    run = subprocess.run([str(driver), str(tmp_path / "list.txt")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and "runtime error" not in run.stderr and "Sanitizer" not in run.stderr, run.stderr
    assert run.stdout.splitlines() == expected


def test_sanitizers_catch_a_read_past_the_model(tmp_path):
    """The sanitizer test can fail: the same build reports a one-byte over-read of an exact-size block."""
    gcc = require_tool("gcc")
    if shutil.which(gcc) is None:
        pytest.fail("gcc not found")
    probe = tmp_path / "probe.c"
    probe.write_text(
        "#include <stdlib.h>\n#include <string.h>\n"
        "int main(int argc, char **argv) { (void)argv; unsigned char *p = malloc(8); memset(p, 1, 8);"
        " volatile int x = p[7 + argc]; free(p); return x == 7; }\n"
    )
    exe = tmp_path / "probe"
    subprocess.run([gcc, "-fsanitize=address", "-g", str(probe), "-o", str(exe)], check=True)
    run = subprocess.run([str(exe)], capture_output=True, text=True)
    assert run.returncode != 0 and "heap-buffer-overflow" in run.stderr
