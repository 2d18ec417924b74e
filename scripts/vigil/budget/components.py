"""Component rules: which part of the firmware owns a byte (first matching rule wins).

A rule matches on any of: `path` (glob on the object, archive or source path), `archive` (glob
on the archive's file name), `section` (glob on the input or output section), `symbol` (glob on
the demangled name). `{stem}` in a component name becomes the file name's stem, so one rule
gives TFLM's kernels a component per operator.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import PurePosixPath

from vigil.errors import VigilError

MODEL_WEIGHTS = "model weights"
TENSOR_ARENA = "tensor arena"
OTHER = "other"
PADDING = "(padding)"
LINKER = "(linker)"
UNKNOWN = "(unknown)"
TFLITE_MAGIC = b"TFL3"  # flatbuffer file identifier, at offset 4 of every .tflite


@dataclass(frozen=True)
class Rule:
    component: str
    path: str | None = None
    archive: str | None = None
    section: str | None = None
    symbol: str | None = None


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(MODEL_WEIGHTS, section=".rodata.vigil_model.*"),
    Rule(TENSOR_ARENA, section="*vigil_arena*"),
    Rule(TENSOR_ARENA, symbol="*tensor_arena*"),
    Rule("replay samples", section=".rodata.vigil_samples*"),
    Rule("vigil module", path="*modules/vigil/*"),
    Rule("vigil module", archive="*modules__vigil*"),
    Rule("app", path="*/app/*"),
    Rule("app", archive="libapp.a"),
    Rule("TFLM kernel {stem}", path="*tensorflow/lite/micro/kernels/*"),
    Rule("TFLM kernel {stem}", path="*signal/micro/kernels/*"),
    Rule("TFLM interpreter", path="*tensorflow/lite/*"),
    Rule("TFLM interpreter", path="*tflite-micro/*"),
    Rule("TFLM interpreter", path="*signal/src/*"),
    Rule("TFLM interpreter", path="*third_party*flatbuffers*"),
    Rule("CMSIS-NN", path="*cmsis-nn/*"),
    Rule("CMSIS-NN", path="*CMSIS-NN/*"),
    Rule("CMSIS-NN", archive="*cmsis-nn*"),
    Rule("CMSIS-DSP", path="*cmsis-dsp/*"),
    Rule("CMSIS-DSP", path="*CMSIS-DSP/*"),
    Rule("CMSIS-DSP", archive="*cmsis-dsp*"),
    Rule("drivers", path="*zephyr/drivers/*"),
    Rule("drivers", archive="libdrivers__*"),
    Rule("Zephyr kernel", path="*zephyr/kernel/*"),
    Rule("Zephyr kernel", path="*zephyr/arch/*"),
    Rule("Zephyr kernel", path="*zephyr/lib/*"),
    Rule("Zephyr kernel", path="*zephyr/subsys/*"),
    Rule("Zephyr kernel", path="*zephyr/soc/*"),
    Rule("Zephyr kernel", archive="libkernel.a"),
    Rule("Zephyr kernel", archive="libzephyr.a"),
    Rule("Zephyr kernel", archive="libarch__*"),
    Rule("HAL", path="*modules/hal/*"),
    Rule("C++ runtime", archive="libstdc++*.a"),
    Rule("C++ runtime", archive="libsupc++*.a"),
    Rule("C++ runtime", archive="libc++*.a"),
    Rule("libc", archive="libc.a"),
    Rule("libc", archive="libc_nano.a"),
    Rule("libc", archive="libm.a"),
    Rule("libc", archive="libm_nano.a"),
    Rule("libc", archive="libg*.a"),
    Rule("libc", archive="librdimon*.a"),
    Rule("libc", archive="libnosys.a"),
    Rule("libc", path="*picolibc*"),
    Rule("libc", path="*newlib*"),
    Rule("libc", path="*zephyr/lib/libc/*"),
)


def parse_rules(where: str, entries) -> tuple[Rule, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise VigilError(f"{where}: 'rules' must be a list")
    rules = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("component"), str):
            raise VigilError(f"{where}: rules[{i}] needs a 'component' name")
        unknown = set(entry) - {"component", "path", "archive", "section", "symbol"}
        if unknown:
            raise VigilError(f"{where}: rules[{i}] has unknown keys {', '.join(sorted(unknown))}")
        if len(entry) == 1:
            raise VigilError(f"{where}: rules[{i}] matches nothing (give path, archive, section or symbol)")
        rules.append(Rule(**{k: str(v) for k, v in entry.items()}))
    return tuple(rules)


class Classifier:
    """Applies rules in order. What a rule says about an object, archive and section is cached:
    thousands of symbols share a few hundred objects, and only a few rules look at symbol names."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self._static: dict[tuple, list[str | None | bool]] = {}

    def __call__(
        self, *, paths: tuple[str, ...], archive: str | None, sections: tuple[str, ...], symbol: str | None
    ) -> str:
        key = (paths, archive, sections)
        matches = self._static.get(key)
        if matches is None:
            matches = [_static_match(rule, paths, archive, sections) for rule in self.rules]
            self._static[key] = matches
        for rule, matched in zip(self.rules, matches, strict=True):
            if matched is False:
                continue
            if rule.symbol is not None and not (symbol and fnmatch.fnmatchcase(symbol, rule.symbol)):
                continue
            if "{stem}" in rule.component:
                stem_of = matched if isinstance(matched, str) else next((p for p in paths if p), "")
                return rule.component.replace("{stem}", PurePosixPath(stem_of).stem)
            return rule.component
        return OTHER


def _static_match(rule: Rule, paths: tuple[str, ...], archive: str | None, sections: tuple[str, ...]):
    """False, True, or the path that matched the rule's path pattern."""
    matched: str | bool = True
    if rule.path is not None:
        found = next((p for p in paths if p and fnmatch.fnmatchcase(p, rule.path)), None)
        if found is None:
            return False
        matched = found
    archive_name = PurePosixPath(archive).name if archive else None
    if rule.archive is not None and not (archive_name and fnmatch.fnmatchcase(archive_name, rule.archive)):
        return False
    if rule.section is not None and not any(s and fnmatch.fnmatchcase(s, rule.section) for s in sections):
        return False
    return matched
