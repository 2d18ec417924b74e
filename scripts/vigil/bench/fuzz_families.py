"""The inputs `vigil bench fuzz` damages, one family per kind of file, and the command each
case runs: the real models, WAVs and images of the shared data, a real ELF and map (the small
synthetic firmware, or one the caller built), the manifest, suites, a golden, a budget and a
baseline made from them, and the output paths and limits of the commands.

A case is a folder of files and the `vigil` arguments that read them ("{case}" stands for the
folder), with what the damage means (mutate.Damage.expect) and the file an error must name.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vigil.bench import mutate
from vigil.settings import REPO_ROOT, data_dir

CASE = "{case}"
MODELS = {  # base model -> (manifest model lending labels and front-end, task, sample)
    "kws_ref_model.tflite": ("kws_ref_model", "kws", "samples/kws/yes_1000ms.wav"),
    "vww_96_int8.tflite": ("vww_96_int8", "vww", "samples/vww/person_96x96_gray.bmp"),
    "micro_speech_quantized.tflite": ("micro_speech_quantized", "kws", "samples/kws/no_1000ms.wav"),
}
WAVS = ("yes_1000ms.wav", "no_1000ms.wav", "noise_1000ms.wav", "yes_30ms.wav")
TINY_KWS_SUITE = """model: kws_ref_model
tolerance: {score_steps: 0, detection_ms: 0}
clips:
  - files: samples/kws/yes_1000ms.wav
  - speech: {seed: 3, words: ["yes"], variants: 1, snr_db: [null, 20], silence: 1}
streams:
  - speech_stream: {seed: 4, seconds: 4, words: ["no"], count: 1, snr_db: 20}
"""
TINY_VWW_SUITE = """model: vww_96_int8
tolerance: {score_steps: 0}
clips:
  - files: samples/vww/*.bmp
"""
BUDGET = """board: synthetic
regions:
  FLASH: {warn: 80%, fail: 95%}
  RAM: {warn: 85%, fail: 95%}
components:
  other: {flash: {warn: 1 MiB, fail: 2 MiB}, ram: {fail: 512 KiB}}
  (padding): {flash: {fail: 4 KiB}}
"""


@dataclass(frozen=True)
class Case:
    family: str
    what: str
    files: dict[str, bytes]
    args: tuple[str, ...]
    names: str  # the path (with {case}) an error must name
    expect: str  # mutate.Damage.expect
    reference: Case | None = None  # the undamaged twin, for "same"
    env: dict[str, str] = field(default_factory=dict)
    check_failure: bool = False  # a documented exit 1 (over budget, a regression) is a right answer


@dataclass
class Bases:
    """Everything the families start from, read or made once."""

    shared: Path
    models: dict[str, bytes]
    wavs: dict[str, bytes]
    images: dict[str, bytes]
    elf: bytes
    map: bytes
    manifest: bytes
    suites: dict[str, bytes]
    golden: bytes | None = None  # made by the caller (it runs the reference chain)
    baseline: bytes | None = None  # made by the caller (it runs vigil budget)
    env: dict[str, str] = field(default_factory=dict)


def read_bases(elf: Path, map_path: Path, env: dict[str, str]) -> Bases:
    shared = data_dir()
    from PIL import Image

    images = {p.name: p.read_bytes() for p in sorted((shared / "samples" / "vww").glob("*.bmp"))}
    with Image.open(io.BytesIO(next(iter(images.values())))) as im:
        for fmt, ext in (("PNG", "png"), ("JPEG", "jpg")):
            out = io.BytesIO()
            im.convert("RGB").save(out, fmt)
            images[f"person.{ext}"] = out.getvalue()
    return Bases(
        shared,
        {name: (shared / "models" / name).read_bytes() for name in MODELS},
        {name: (shared / "samples" / "kws" / name).read_bytes() for name in WAVS},
        images,
        Path(elf).read_bytes(),
        Path(map_path).read_bytes(),
        (REPO_ROOT / "models.yml").read_bytes(),
        {"tiny_kws.yml": TINY_KWS_SUITE.encode(), "tiny_vww.yml": TINY_VWW_SUITE.encode()},
        env=env,
    )


# -- cases, one family each ----------------------------------------------------------------------


def model_case(rng: random.Random, b: Bases) -> Case:
    from vigil.bench.model_damage import INT8_MUTATIONS, weight_ranges

    name = rng.choice(sorted(b.models))
    like, task, sample = MODELS[name]
    data = b.models[name]
    kind = rng.randrange(5)
    if kind == 0:
        m = rng.choice(INT8_MUTATIONS)
        damage = mutate.Damage(m.name, m.apply(data), "error" if m.check else "valid")
    elif kind == 1:
        start, end = rng.choice(weight_ranges(data))
        damage = mutate.Damage("weights flipped", mutate.flip_bits(rng, data, start, end), "valid")
    elif kind == 2:
        zeros = rng.randint(1, 15)
        damage = mutate.Damage(f"{zeros} zero bytes appended", data + bytes(zeros), "valid")
    else:
        damage = mutate.damage_bytes(rng, data)
    files = {"m.tflite": damage.data, "sample" + Path(sample).suffix: (b.shared / sample).read_bytes()}
    commands = (
        ("models", "inspect", f"{CASE}/m.tflite", "--json"),
        ("models", "codegen", f"{CASE}/m.tflite", "--out", f"{CASE}/gen"),
        (
            "classify",
            "--task",
            task,
            "--model",
            f"{CASE}/m.tflite",
            "--like",
            like,
            f"{CASE}/sample{Path(sample).suffix}",
        ),
    )
    return Case(
        "models", f"{name}: {damage.what}", files, rng.choice(commands), f"{CASE}/m.tflite", damage.expect, env=b.env
    )


# Canonical 44-byte WAV header: (offset, format, what). Every other value breaks the file.
WAV_FIELDS = (
    (4, "<I", "RIFF size"),
    (20, "<H", "format tag"),
    (22, "<H", "channels"),
    (24, "<I", "sample rate"),
    (28, "<I", "byte rate"),
    (32, "<H", "block align"),
    (34, "<H", "bits"),
)


def wav_case(rng: random.Random, b: Bases) -> Case:
    name = rng.choice(WAVS)
    data = b.wavs[name]
    args = ("classify", "--task", "kws", f"{CASE}/x.wav")
    reference = Case("wav", name, {"x.wav": data}, args, f"{CASE}/x.wav", "valid", env=b.env)
    kind = rng.randrange(6)
    if kind == 0:
        offset, fmt, what = rng.choice(WAV_FIELDS)
        old = struct.unpack_from(fmt, data, offset)[0]
        new = rng.choice([v for v in (0, 1, 2, 8, 15999, 16001, 44100, 0xFFFF, 0xFFFFFFFF, old + 1) if v != old])
        new &= 0xFFFF if fmt == "<H" else 0xFFFFFFFF
        out = bytearray(data)
        struct.pack_into(fmt, out, offset, new)
        damage = mutate.Damage(f"{what} {old} -> {new}", bytes(out), "error")
    elif kind == 1:
        damage = mutate.Damage("WAVE_FORMAT_EXTENSIBLE PCM", _extensible(data), "same")
    elif kind == 2:
        damage = mutate.Damage(
            "a LIST chunk before the data", _with_chunk(data, b"LIST", b"INFOISFT\x05\x00\x00\x00vigil\x00"), "same"
        )
    elif kind == 3:
        damage = mutate.Damage("samples flipped", mutate.flip_bits(rng, data, 44), "valid")
    elif kind == 4:
        damage = mutate.Damage("bytes appended", data + bytes(rng.randint(1, 64)), "error")
    else:
        damage = mutate.damage_bytes(rng, data)
    return Case(
        "wav", f"{name}: {damage.what}", {"x.wav": damage.data}, args, f"{CASE}/x.wav", damage.expect, reference, b.env
    )


def _extensible(data: bytes) -> bytes:
    """The same PCM samples under a WAVE_FORMAT_EXTENSIBLE header (written from the spec)."""
    tag, channels, rate, byte_rate, block, bits = struct.unpack_from("<HHIIHH", data, 20)
    ext = struct.pack("<HHIIHH", 0xFFFE, channels, rate, byte_rate, block, bits)
    ext += struct.pack("<HHI", 22, bits, 0x4) + bytes.fromhex("0100000000001000800000aa00389b71")
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(ext)) + ext + data[36:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _with_chunk(data: bytes, name: bytes, body: bytes) -> bytes:
    chunk = name + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")
    riff = data[8:36] + chunk + data[36:]
    return b"RIFF" + struct.pack("<I", len(riff)) + riff


SIDES = (0, 1, 7, 8, 9, 96, 4096, 4097, 20000, 2**31 - 1)


def image_case(rng: random.Random, b: Bases) -> Case:
    name = rng.choice(sorted(b.images))
    data = b.images[name]
    ext = Path(name).suffix
    args = ("classify", "--task", "vww", f"{CASE}/x{ext}")
    reference = Case("images", name, {f"x{ext}": data}, args, f"{CASE}/x{ext}", "valid", env=b.env)
    kind = rng.randrange(4)
    if kind == 0 and ext in (".bmp", ".png"):
        w, h = rng.choice(SIDES), rng.choice(SIDES)
        claimed = _claim_size(data, ext, w, h)
        expect = "error" if not (8 <= w <= 4096 and 8 <= h <= 4096) else "any"
        damage = mutate.Damage(f"header claims {w}x{h}", claimed, expect)
    elif kind == 1 and ext == ".png":
        from PIL import Image

        out = io.BytesIO()
        with Image.open(io.BytesIO(data)) as im:
            im.save(out, "PNG", compress_level=rng.choice((0, 1, 9)))
        damage = mutate.Damage("re-compressed", out.getvalue(), "same")
    elif kind == 2:
        damage = mutate.Damage("cut", data[: rng.randrange(0, len(data) - 1)], "error")
    else:
        damage = mutate.damage_bytes(rng, data)
        if damage.what == "cut":
            damage = mutate.Damage("cut", damage.data, "error")
    return Case(
        "images",
        f"{name}: {damage.what}",
        {f"x{ext}": damage.data},
        args,
        f"{CASE}/x{ext}",
        damage.expect,
        reference,
        b.env,
    )


def _claim_size(data: bytes, ext: str, w: int, h: int) -> bytes:
    out = bytearray(data)
    if ext == ".bmp":
        struct.pack_into("<ii", out, 18, w, -h if struct.unpack_from("<i", data, 22)[0] < 0 else h)
    else:
        ihdr = data.index(b"IHDR")
        struct.pack_into(">II", out, ihdr + 4, w, h)
        struct.pack_into(">I", out, ihdr + 17, zlib.crc32(bytes(out[ihdr : ihdr + 17])))
    return bytes(out)


def elf_map_case(rng: random.Random, b: Bases) -> Case:
    args = ("budget", f"{CASE}/fw.elf", "--map", f"{CASE}/fw.map", "--json")
    elf, map_text = b.elf, b.map
    if rng.random() < 0.5:
        kind = rng.randrange(4)
        if kind == 0:
            end = min(len(elf), 52 + 32 * 8)  # ELF and program headers
            damage = mutate.Damage("ELF header damaged", mutate.damage_bytes(rng, elf[:end]).data + elf[end:], "any")
        elif kind == 1:
            damage = mutate.Damage("cut", elf[: rng.randrange(0, len(elf) - 1)], "error")
        else:
            damage = mutate.damage_bytes(rng, elf)
        files, names = {"fw.elf": damage.data, "fw.map": map_text}, f"{CASE}/fw.elf"
    else:
        lines = map_text.decode().splitlines(keepends=True)
        kind = rng.randrange(4)
        i = rng.randrange(len(lines))
        if kind == 0:
            changed, what = lines[:i] + lines[i + 1 :], f"line {i + 1} removed"
        elif kind == 1:
            changed, what = lines[: i + 1] + lines[i:], f"line {i + 1} doubled"
        elif kind == 2:
            digits = [
                k for k, ch in enumerate(lines[i]) if ch in "0123456789abcdef" and lines[i][max(0, k - 2) : k] != ""
            ]
            line = lines[i]
            if digits:
                k = rng.choice(digits)
                line = line[:k] + rng.choice("0123456789abcdef") + line[k + 1 :]
            changed, what = lines[:i] + [line] + lines[i + 1 :], f"a digit of line {i + 1} changed"
        else:
            changed, what = lines[: rng.randrange(len(lines))], "cut"
        damage = mutate.Damage(what, "".join(changed).encode(), "any")
        files, names = {"fw.elf": elf, "fw.map": damage.data}, f"{CASE}/fw"
    return Case("elf_map", damage.what, files, args, names, damage.expect, env=b.env)


def _document_case(
    family: str,
    rng: random.Random,
    text: bytes,
    filename: str,
    args: tuple[str, ...],
    others: dict[str, bytes],
    b: Bases,
    json_like: bool = False,
    check_failure: bool = False,
) -> Case:
    import json

    doc = json.loads(text) if json_like else yaml.safe_load(text)
    reference = Case(family, "unchanged", {filename: text, **others}, args, f"{CASE}/{filename}", "valid", env=b.env)
    kind = rng.randrange(8)
    if kind == 0:
        rewritten = mutate.json_text(doc) if json_like else mutate.yaml_text(doc)
        if json_like:
            rewritten = json.dumps(doc, indent=4, sort_keys=True).encode()
        damage = mutate.Damage("rewritten, same content", rewritten, "same")
    elif kind == 1 and not json_like:
        damage = mutate.duplicate_key(rng, text) or mutate.Damage("unchanged", text, "same")
    elif kind == 2:
        damage = mutate.Damage("binary", bytes(rng.randrange(256) for _ in range(200)) + b"\0", "error")
    elif kind == 3:
        damage = mutate.Damage("cut", text[: rng.randrange(len(text))], "any")
    else:
        what, damaged, expect = mutate.damage_document(rng, doc, json_like)
        data = mutate.json_text(damaged) if json_like else mutate.yaml_text(damaged)
        damage = mutate.Damage(what, data, expect)
    return Case(
        family,
        damage.what,
        {filename: damage.data, **others},
        args,
        f"{CASE}/{filename}",
        damage.expect,
        reference,
        b.env,
        check_failure,
    )


def manifest_case(rng: random.Random, b: Bases) -> Case:
    name = rng.choice([m[0] for m in MODELS.values()])
    args = ("models", "codegen", name, "--manifest", f"{CASE}/models.yml", "--out", f"{CASE}/gen")
    return _document_case("manifests", rng, b.manifest, "models.yml", args, {}, b)


def suite_case(rng: random.Random, b: Bases) -> Case:
    name = rng.choice(sorted(b.suites))
    return _document_case("suites", rng, b.suites[name], name, ("regress", "data", f"{CASE}/{name}"), {}, b)


def golden_case(rng: random.Random, b: Bases) -> Case:
    args = ("regress", "run", f"{CASE}/tiny_vww.yml", "--target", "host", "--golden", f"{CASE}/g.json")
    suite = {"tiny_vww.yml": b.suites["tiny_vww.yml"]}
    return _document_case("goldens", rng, b.golden, "g.json", args, suite, b, json_like=True, check_failure=True)


def budget_case(rng: random.Random, b: Bases) -> Case:
    args = ("budget", f"{CASE}/fw.elf", "--map", f"{CASE}/fw.map", "--budget", f"{CASE}/budget.yml", "--json")
    firmware = {"fw.elf": b.elf, "fw.map": b.map}
    return _document_case("budgets", rng, BUDGET.encode(), "budget.yml", args, firmware, b, check_failure=True)


def baseline_case(rng: random.Random, b: Bases) -> Case:
    args = ("budget", f"{CASE}/fw.elf", "--map", f"{CASE}/fw.map", "--baseline", f"{CASE}/old.json", "--json")
    firmware = {"fw.elf": b.elf, "fw.map": b.map}
    return _document_case("baselines", rng, b.baseline, "old.json", args, firmware, b, json_like=True)


def path_cases(b: Bases) -> list[Case]:
    """Outputs and inputs a command cannot use: a folder, a file where a folder must be, a path
    under a file; and limits out of range. Each must be refused before any work."""
    model = (b.shared / "models" / "kws_ref_model.tflite").as_posix()
    wav = (b.shared / "samples" / "kws" / "yes_1000ms.wav").as_posix()
    fw = {"fw.elf": b.elf, "fw.map": b.map, "a_file": b"x"}
    suite = {"tiny_vww.yml": b.suites["tiny_vww.yml"], "a_file": b"x", "g.json": b.golden or b"{}"}
    budget = ("budget", f"{CASE}/fw.elf", "--map", f"{CASE}/fw.map")
    run = ("regress", "run", f"{CASE}/tiny_vww.yml", "--target", "host", "--golden", f"{CASE}/g.json")
    specs = [
        ({"a_file": b"x"}, ("models", "codegen", model, "--out", f"{CASE}/a_file"), f"{CASE}/a_file"),
        ({"a_file": b"x"}, ("models", "codegen", model, "--out", f"{CASE}/a_file/gen"), f"{CASE}/a_file"),
        ({"a_file": b"x"}, ("models", "convert", model, "--task", "kws", "--out", CASE), CASE),
        ({"a_file": b"x"}, ("models", "inspect", CASE), CASE),
        ({"a_file": b"x"}, ("models", "inspect", "kws_ref_model", "--manifest", CASE), CASE),
        ({"a_file": b"x"}, ("classify", "--task", "kws", CASE), CASE),
        (fw, (*budget, "--html", CASE), CASE),
        (fw, (*budget, "--html", f"{CASE}/a_file/p.html"), f"{CASE}/a_file"),
        (fw, (*budget, "--linker-output", CASE), CASE),
        (fw, (*budget, "--budget", CASE), CASE),
        (fw, (*budget, "--baseline", CASE), CASE),
        (fw, (*budget, "--top", "-1"), "--top"),
        (fw, ("budget", f"{CASE}/fw.elf", "--map", CASE), CASE),
        (suite, ("regress", "golden", f"{CASE}/tiny_vww.yml", "--out", CASE), CASE),
        (suite, ("regress", "run", f"{CASE}/tiny_vww.yml", "--target", "host", "--golden", CASE), CASE),
        (suite, (*run, "--json", CASE), CASE),
        (suite, (*run, "--junit", f"{CASE}/a_file/r.xml"), f"{CASE}/a_file"),
        (suite, (*run, "--markdown", "/dev/null"), "/dev/null"),
        (suite, (*run, "--timeout", "0"), "--timeout"),
        ({"a_file": b"x"}, ("device", "serve", "--kws", "kws_ref_model", "--frame-capacity", "-1"), "--frame-capacity"),
        (
            {"a_file": b"x"},
            ("device", "serve", "--kws", "kws_ref_model", "--frame-capacity", "99999999999"),
            "--frame-capacity",
        ),
        ({"a_file": b"x"}, ("classify", "--task", "kws", f"{CASE}/a_file/x.wav"), f"{CASE}/a_file/x.wav"),
    ]
    cases = [
        Case("paths", " ".join(args[:2]) + f" {names}", files, args, names, "error", env=b.env)
        for files, args, names in specs
    ]
    cache_env = {**b.env, "VIGIL_CACHE": f"{CASE}/a_file"}
    cases.append(
        Case(
            "paths",
            "VIGIL_CACHE a file",
            {"a_file": b"x"},
            ("classify", "--task", "kws", wav),
            "VIGIL_CACHE",
            "error",
            env=cache_env,
        )
    )
    return cases


FAMILIES: dict[str, Callable[[random.Random, Bases], Case]] = {
    "models": model_case,
    "wav": wav_case,
    "images": image_case,
    "elf_map": elf_map_case,
    "manifests": manifest_case,
    "suites": suite_case,
    "goldens": golden_case,
    "budgets": budget_case,
    "baselines": baseline_case,
}
