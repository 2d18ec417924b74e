"""Budget accounting on a firmware built during the test run, against the linker and binutils."""

import pytest

from vigil.budget.analyze import Inputs, analyze, parse_linker_usage
from vigil.budget.components import DEFAULT_RULES, MODEL_WEIGHTS, TENSOR_ARENA
from vigil.budget.elfimage import load_elf, source_index
from vigil.budget.linkmap import parse_map


def report_of(fw, **kw):
    return analyze(Inputs(fw.elf, fw.map, None, None), linker_output=fw.linker_output, **kw)


def test_regions_equal_the_linkers_print_memory_usage(firmware):
    report = report_of(firmware)
    linker = parse_linker_usage(firmware.linker_output)
    assert {r.name: r.used for r in report.accounting.regions} == linker
    assert set(linker) == {"FLASH", "RAM", "RAM2"}
    flash = report.accounting.region("FLASH")
    data = next(s for s in report.accounting.sections if s.name == ".data")
    assert data.region == "RAM" and data.load_region == "FLASH"  # the initializer counts in flash
    assert flash.placed == sum(
        s.size for s in report.accounting.sections if s.region == "FLASH" or s.load_region == "FLASH"
    )


def test_sections_equal_binutils_size(firmware):
    report = report_of(firmware)
    assert {s.name: s.size for s in report.accounting.sections} == firmware.size_a


def test_every_byte_is_in_exactly_one_leaf(firmware):
    report = report_of(firmware)
    acc = report.accounting
    assert acc.closes, [c for c in acc.checks if not c.ok]
    for section in acc.sections:
        leaves = sorted((leaf for leaf in acc.leaves if leaf.section == section.name), key=lambda x: x.address)
        cursor = section.address
        for leaf in leaves:
            assert leaf.address == cursor and leaf.size > 0, (section.name, leaf)
            cursor += leaf.size
        assert cursor == section.address + section.size
    kinds = {leaf.kind for leaf in acc.leaves}
    assert {"symbol", "fill", "linker"} <= kinds and "unknown" not in kinds


EXPECTED = {
    # symbol: (size, object or member, archive, source file name, component)
    "g_model": (20000, "obj/model/model_data.o", None, "model_data.c", MODEL_WEIGHTS),
    "tensor_arena": (65536, "obj/model/model_data.o", None, "model_data.c", TENSOR_ARENA),
    "rx_buffer": (300, "obj/app/src/main.o", None, "main.c", "app"),
    "boot_count": (4, "obj/app/src/main.o", None, "main.c", "app"),
    "window_table": (320, "obj/modules/vigil/src/frontend.o", None, "frontend.c", "vigil module"),
    "ready_queue": (512, "obj/zephyr/kernel/sched.o", None, "sched.c", "Zephyr kernel"),
    "rounding": (128, "arm_nn_util.o", "lib/libmodules__cmsis-nn.a", "arm_nn_util.c", "CMSIS-NN"),
    "vtable for tflite::ConvKernel": (16, "conv.o", "lib/libtflite-micro.a", "conv.cc", "TFLM kernel conv"),
    "tflite::conv_eval(int)::kernel": (8, "conv.o", "lib/libtflite-micro.a", "conv.cc", "TFLM kernel conv"),
    "guard variable for tflite::conv_eval(int)::kernel": (
        4,
        "conv.o",
        "lib/libtflite-micro.a",
        "conv.cc",
        "TFLM kernel conv",
    ),
    "tflite::g_interpreter": (
        8,
        "micro_interpreter.o",
        "lib/libtflite-micro.a",
        "micro_interpreter.cc",
        "TFLM interpreter",
    ),
}


def test_symbols_are_attributed_to_file_archive_and_component(firmware):
    report = report_of(firmware)
    by_name = {}
    for leaf in report.symbols():
        by_name.setdefault(leaf.name, []).append(leaf)
    for name, (size, obj, archive, source, component) in EXPECTED.items():
        (leaf,) = by_name[name]
        assert (leaf.size, leaf.object, leaf.archive, leaf.source.rsplit("/", 1)[-1], leaf.component) == (
            size,
            obj,
            archive,
            source,
            component,
        ), name
    squares = sorted(leaf.source.rsplit("/", 1)[-1] for leaf in by_name["square"])
    assert squares == ["frontend.c", "sched.c"]  # same-named statics kept apart
    assert {leaf.component for leaf in by_name["square"]} == {"vigil module", "Zephyr kernel"}
    assert by_name["memset"][0].component == "libc" and by_name["memset"][0].archive.endswith("libc_nano.a")


def test_functions_have_the_thumb_bit_cleared(firmware):
    image = load_elf(firmware.elf)
    try:
        main = next(s for s in image.symbols if s.name == "main")
        data = next(s for s in image.symbols if s.name == "boot_count")
    finally:
        image.close()
    assert main.address % 2 == 0
    acc = report_of(firmware).accounting
    assert any(leaf.name == "main" and leaf.address == main.address for leaf in acc.leaves)
    assert data.kind == "OBJECT"


def test_components_sum_to_the_regions(firmware):
    report = report_of(firmware)
    totals = report.components()
    views = report.view_totals()
    assert sum(v["flash"] for v in totals.values()) == views["flash"]["used"]
    assert sum(v["ram"] for v in totals.values()) == views["ram"]["used"]


def test_map_of_another_link_is_refused(firmware, changed_firmware):
    from vigil.errors import VigilError

    with pytest.raises(VigilError, match="map is from another link"):
        analyze(Inputs(firmware.elf, changed_firmware.map, None, None))


def test_without_dwarf_sources_come_from_the_map(stripped_firmware):
    report = analyze(Inputs(stripped_firmware.elf, stripped_firmware.map, None, None))
    acc = report.accounting
    assert not acc.has_dwarf and acc.closes
    assert any("no DWARF" in note for note in acc.notes)
    leaf = next(leaf for leaf in acc.leaves if leaf.name == "rounding")
    assert leaf.source is None and leaf.archive == "lib/libmodules__cmsis-nn.a" and leaf.component == "CMSIS-NN"


def test_without_a_map_bytes_outside_symbols_are_unknown(firmware):
    report = analyze(Inputs(firmware.elf, None, None, None))
    acc = report.accounting
    assert acc.regions == [] and acc.closes
    assert any(leaf.kind == "unknown" for leaf in acc.leaves)
    assert sum(leaf.size for leaf in acc.leaves) == sum(firmware.size_a.values())


def test_source_index_handles_many_compile_units(firmware):
    image = load_elf(firmware.elf)
    try:
        index = source_index(image)
    finally:
        image.close()
    assert {"main", "frontend", "sched", "conv", "micro_interpreter"} <= set(index.by_stem)
    assert parse_map(firmware.map).regions[0].name == "FLASH"
    assert DEFAULT_RULES
