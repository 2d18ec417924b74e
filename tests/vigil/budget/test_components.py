"""Component rules: the defaults on the paths, archives, sections and symbols of a real Zephyr +
TFLM build (as a Zephyr map names them), the order rules apply in, and rules from a budget file."""

import pytest

from vigil.budget.components import DEFAULT_RULES, OTHER, Classifier, Rule, parse_rules
from vigil.errors import VigilError

ZEPHYR = "zephyr/CMakeFiles/zephyr.dir"
CASES = [
    # (object or source path, archive, input section, symbol) -> component
    (("app/libapp.a(main.c.obj)", "app/libapp.a", ".text.main", "main"), "app"),
    (("/ws/vigil/app/src/main.c", None, ".text.main", "main"), "app"),
    (("modules/vigil/lib..__modules__vigil.a(mfcc.c.obj)", "libmodules__vigil.a", ".text", "f"), "vigil module"),
    (("x.obj", "modules/vigil/libmodules__vigil.a", ".text", "f"), "vigil module"),
    (("model.c.obj", None, ".rodata.vigil_model.kws", "g_kws_model"), "model weights"),
    (("model.c.obj", None, ".noinit.vigil_arena", "arena"), "tensor arena"),
    (("model.c.obj", None, ".bss.buf", "tensor_arena_kws"), "tensor arena"),
    (("samples.c.obj", None, ".rodata.vigil_samples", "vigil_sample_0"), "replay samples"),
    (("/ws/tflite-micro/tensorflow/lite/micro/kernels/conv.cc", None, ".text.x", "Eval"), "TFLM kernel conv"),
    (("/ws/tflite-micro/signal/micro/kernels/rfft.cc", None, ".text.x", "Eval"), "TFLM kernel rfft"),
    (("/ws/tflite-micro/tensorflow/lite/micro/micro_interpreter.cc", None, ".text", "i"), "TFLM interpreter"),
    (("/ws/modules/lib/tflite-micro/x.cc", None, ".text", "i"), "TFLM interpreter"),
    (("/ws/tflm/signal/src/window.cc", None, ".text", "w"), "TFLM interpreter"),
    (("/ws/tflm/third_party/flatbuffers/x.h", None, ".text", "w"), "TFLM interpreter"),
    (("/ws/modules/lib/cmsis-nn/Source/a.c", None, ".text", "a"), "CMSIS-NN"),
    (("/ws/CMSIS-NN/Source/a.c", None, ".text", "a"), "CMSIS-NN"),
    (("a.o", "libmodules__cmsis-nn.a", ".text", "a"), "CMSIS-NN"),
    (("/ws/modules/lib/cmsis-dsp/Source/a.c", None, ".text", "a"), "CMSIS-DSP"),
    (("/ws/CMSIS-DSP/Source/a.c", None, ".text", "a"), "CMSIS-DSP"),
    (("a.o", "libmodules__cmsis-dsp.a", ".text", "a"), "CMSIS-DSP"),
    (("/ws/zephyr/drivers/serial/uart.c", None, ".text", "u"), "drivers"),
    (("u.obj", "libdrivers__serial.a", ".text", "u"), "drivers"),
    (("/ws/zephyr/kernel/sched.c", None, ".text", "s"), "Zephyr kernel"),
    (("/ws/zephyr/arch/arm/core/isr.S", None, ".text", "s"), "Zephyr kernel"),
    (("/ws/zephyr/lib/os/printk.c", None, ".text", "s"), "Zephyr kernel"),
    (("/ws/zephyr/subsys/logging/log.c", None, ".text", "s"), "Zephyr kernel"),
    (("/ws/zephyr/soc/nordic/soc.c", None, ".text", "s"), "Zephyr kernel"),
    (("s.obj", "zephyr/kernel/libkernel.a", ".text", "s"), "Zephyr kernel"),
    (("s.obj", "zephyr/libzephyr.a", ".text", "s"), "Zephyr kernel"),
    (("s.obj", "libarch__arm__core.a", ".text", "s"), "Zephyr kernel"),
    (("/ws/modules/hal/nordic/nrfx/x.c", None, ".text", "h"), "HAL"),
    (("x.o", "/usr/lib/arm-none-eabi/lib/libstdc++_nano.a", ".text", "x"), "C++ runtime"),
    (("x.o", "libsupc++.a", ".text", "x"), "C++ runtime"),
    (("x.o", "libc++abi.a", ".text", "x"), "C++ runtime"),
    (("x.o", "/usr/lib/libc.a", ".text", "memcpy"), "libc"),
    (("x.o", "libc_nano.a", ".text", "memcpy"), "libc"),
    (("x.o", "libm.a", ".text", "sqrtf"), "libc"),
    (("x.o", "libm_nano.a", ".text", "sqrtf"), "libc"),
    (("x.o", "libgcc.a", ".text", "__aeabi_idiv"), "libc"),
    (("x.o", "librdimon_nano.a", ".text", "x"), "libc"),
    (("x.o", "libnosys.a", ".text", "_sbrk"), "libc"),
    (("/ws/modules/lib/picolibc/x.c", None, ".text", "x"), "libc"),
    (("/usr/src/newlib/libc/x.c", None, ".text", "x"), "libc"),
    (("/ws/zephyr/lib/libc/minimal/x.c", None, ".text", "x"), "Zephyr kernel"),  # zephyr/lib/* comes first
    (("/somewhere/else.c", None, ".text", "x"), OTHER),
    (("", None, ".text", None), OTHER),
]


@pytest.mark.parametrize("where, component", CASES, ids=[c for _, c in CASES])
def test_default_rules(where, component):
    path, archive, section, symbol = where
    classify = Classifier(DEFAULT_RULES)
    got = classify(paths=("", path, ""), archive=archive, sections=(section, ".text"), symbol=symbol)
    assert got == component


def test_rules_apply_in_order_and_symbols_are_checked_every_time():
    rules = (
        Rule("special", path="*app/*", symbol="isr_*"),
        Rule("by section", section=".ramfunc*"),
        Rule("app", path="*app/*"),
        Rule("kernel {stem}", archive="libk*.a"),
    )
    classify = Classifier(rules)
    common = {"paths": ("/w/app/main.c",), "archive": None, "sections": (".text",)}
    assert classify(**common, symbol="isr_uart") == "special"
    assert classify(**common, symbol="main") == "app"  # the same object, cached: the symbol still decides
    assert classify(**common, symbol=None) == "app"
    assert classify(paths=("/w/app/x.c",), archive=None, sections=("", ".ramfunc"), symbol="f") == "by section"
    # {stem} from the archive-only rule: the first non-empty path's stem
    assert classify(paths=("", "sched.c.obj"), archive="lib/libkernel.a", sections=(".text",), symbol="f") == (
        "kernel sched.c"
    )
    assert classify(paths=("", ""), archive="libkernel.a", sections=(".text",), symbol="f") == "kernel "
    assert classify(paths=("x.o",), archive="other.a", sections=(".text",), symbol="f") == OTHER


def test_stem_comes_from_the_path_that_matched():
    classify = Classifier((Rule("op {stem}", path="*kernels/*"),))
    got = classify(
        paths=("lib.a", "obj/kernels/add.cc.obj", "/src/kernels/add.cc"), archive=None, sections=(), symbol=None
    )
    assert got == "op add.cc"


def test_rules_from_a_budget_file():
    assert parse_rules("b.yml", None) == ()
    rules = parse_rules("b.yml", [{"component": "fusion", "path": "*/fusion/*", "symbol": 7}])
    assert rules == (Rule("fusion", path="*/fusion/*", symbol="7"),)
    for entries, problem in (
        ({"component": "x"}, "'rules' must be a list"),
        (["x"], "rules[0] needs a 'component' name"),
        ([{"path": "*"}], "rules[0] needs a 'component' name"),
        ([{"component": 3, "path": "*"}], "rules[0] needs a 'component' name"),
        ([{"component": "a", "path": "*"}, {"component": "b", "files": "*"}], "rules[1] has unknown keys files"),
        ([{"component": "a"}], "rules[0] matches nothing"),
    ):
        with pytest.raises(VigilError, match=problem.replace("[", "\\[").replace("]", "\\]")) as e:
            parse_rules("b.yml", entries)
        assert str(e.value).startswith("b.yml: ")
