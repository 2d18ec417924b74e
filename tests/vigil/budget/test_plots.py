"""budget/plots.py on the hand-built report of test_render (plus a component of 0 bytes): the
region bars, the limit lines and the treemaps, every value worked out by hand from the leaves."""

from vigil.budget.accounting import Leaf
from vigil.budget.plots import component_colours, region_bars, region_components, treemap
from vigil.budget.report import Report, Verdict

from .test_render import accounting, gated

CMSIS, APP, ARENA, WEIGHTS, UNKNOWN, PADDING, LINKER, ZERO = (
    "cmsis-nn",
    "app",
    "tensor arena",
    "model weights",
    "(unknown)",
    "(padding)",
    "(linker)",
    "zero",
)


def with_zero(report: Report) -> Report:
    """The report with a symbol of 0 bytes in its own component: in no bar and no treemap."""
    acc = report.accounting
    acc.leaves.append(Leaf("symbol", ".text", 0x4A6, 0, "marker", component=ZERO))
    return Report(acc, board=report.board, budget=report.budget, verdicts=report.verdicts, deltas=report.deltas)


def test_region_components():
    parts = region_components(with_zero(gated()))
    # .data (app, 100 B) counts in RAM and, as its load image, in FLASH; .bss is in RAM only
    assert parts == {
        "FLASH": {APP: 580, CMSIS: 710, WEIGHTS: 200, LINKER: 4, UNKNOWN: 12, ZERO: 0, PADDING: 10},
        "RAM": {APP: 100, ARENA: 208},
        "NOINIT": {},
    }


def test_a_nobits_section_has_no_load_image_and_unknown_sections_count_nowhere():
    report = gated()
    acc = report.accounting
    bss = acc.sections[3]
    acc.sections[3] = type(bss)(bss.name, bss.address, bss.size, bss.address, True, True, "RAM", "FLASH")
    acc.leaves.insert(0, Leaf("symbol", ".stray", 0, 8, "nowhere", component="stray"))  # first: the rest still counts
    acc.leaves.append(Leaf("symbol", ".text", 0x4A6, 2, "pad_like", component=PADDING))  # a rule may name it so
    parts = region_components(Report(acc))
    assert ARENA not in parts["FLASH"] and parts["RAM"][ARENA] == 208
    assert all("stray" not in p for p in parts.values())
    assert parts["FLASH"][PADDING] == 2 + 10  # the leaf and the gap between sections


def test_component_colours_follow_the_size_order_then_the_name():
    assert component_colours(with_zero(gated())) == {
        CMSIS: "#4e79a7",
        APP: "#f28e2b",
        ARENA: "#e15759",
        WEIGHTS: "#76b7b2",
        UNKNOWN: "#59a14f",
        PADDING: "#edc948",
        LINKER: "#b07aa1",
        ZERO: "#ff9da7",
    }
    acc = accounting()
    acc.leaves = [
        Leaf("symbol", ".text", 0, 4, "b", component="b"),
        Leaf("symbol", ".text", 4, 4, "a", component="a"),
    ] + [Leaf("symbol", ".text", 8 + i, 1, f"c{i}", component=f"c{i:02}") for i in range(12)]
    for r in acc.regions:
        r.gap = 0
    colours = component_colours(Report(acc))
    assert list(colours)[:3] == ["a", "b", "c00"]  # equal sizes: by name
    assert colours["c10"] == "#4e79a7" and colours["c11"] == "#f28e2b"  # the 13th wraps round to the first


def test_region_bars():
    fig = region_bars(with_zero(gated()), "the title")
    x = ("FLASH", "RAM", "NOINIT")
    bars = [(t.name, tuple(t.x), tuple(t.y), tuple(t.customdata), t.marker.color) for t in fig.data]
    assert bars == [
        (CMSIS, x, (100 * 710 / 2048, 0, 0), (710, 0, 0), "#4e79a7"),
        (APP, x, (100 * 580 / 2048, 100 * 100 / 1024, 0), (580, 100, 0), "#f28e2b"),
        (ARENA, x, (0, 100 * 208 / 1024, 0), (0, 208, 0), "#e15759"),
        (WEIGHTS, x, (100 * 200 / 2048, 0, 0), (200, 0, 0), "#76b7b2"),
        (UNKNOWN, x, (100 * 12 / 2048, 0, 0), (12, 0, 0), "#59a14f"),
        (PADDING, x, (100 * 10 / 2048, 0, 0), (10, 0, 0), "#edc948"),
        (LINKER, x, (100 * 4 / 2048, 0, 0), (4, 0, 0), "#b07aa1"),
    ]
    assert {t.type for t in fig.data} == {"bar"}
    assert fig.data[1].hovertemplate == "app<br>%{customdata:,} B (%{y:.2f} %% of %{x})<extra></extra>"
    # FLASH: a warn limit of 1,500 B; RAM: a fail limit of 900 B; NOINIT: no limit
    shapes = [(s.type, s.x0, s.x1, s.y0, s.y1, s.line.color, s.line.width, s.line.dash) for s in fig.layout.shapes]
    assert shapes == [
        ("line", -0.45, 0.45, 100 * 1500 / 2048, 100 * 1500 / 2048, "#d9a400", 3, "dash"),
        ("line", 1 - 0.45, 1.45, 100 * 900 / 1024, 100 * 900 / 1024, "#c0392b", 3, "solid"),
    ]
    notes = [(a.x, a.y, a.text, a.showarrow, a.xanchor, a.font.size) for a in fig.layout.annotations]
    assert notes == [
        (0.45, 100 * 1500 / 2048, "warn 1,500 B", False, "left", 10),
        (1.45, 100 * 900 / 1024, "fail 900 B", False, "left", 10),
        (2, 102, "no limit: not gated", False, None, 10),
    ]
    layout = fig.layout
    assert (layout.barmode, layout.title.text, layout.height) == ("stack", "the title", 380)
    assert layout.yaxis.title.text == "% of the region (used / length)" and tuple(layout.yaxis.range) == (0, 105)
    assert (layout.margin.l, layout.margin.r, layout.margin.t, layout.margin.b) == (60, 140, 50, 40)
    assert layout.legend.font.size == 10
    assert region_bars(gated(), "t", height=200).layout.height == 200


def test_a_limit_on_a_region_of_no_length_draws_no_line():
    report = gated()
    report.verdicts = [Verdict("region", "NOINIT", None, 0, 5, 9, "ok")]
    fig = region_bars(report, "t")
    assert fig.layout.shapes == ()
    assert [(a.x, a.text) for a in fig.layout.annotations] == [(0, "no limit: not gated"), (1, "no limit: not gated")]


def test_flash_treemap():
    fig = treemap(with_zero(gated()), "flash", "flash map", top=2)
    (t,) = fig.data
    nodes = list(zip(t.ids, t.labels, t.parents, t.values, t.marker.colors, strict=True))
    assert nodes == [
        ("flash", "flash 1,516 B", "", 1516, "#eeeeee"),
        ("flash/cmsis-nn", CMSIS, "flash", 710, "#4e79a7"),
        ("flash/cmsis-nn/0", "arm_convolve_s8", "flash/cmsis-nn", 700, "#4e79a7"),
        ("flash/cmsis-nn/1", "*fill* (fill)", "flash/cmsis-nn", 10, "#4e79a7"),
        ("flash/app", APP, "flash", 580, "#f28e2b"),
        ("flash/app/0", "main", "flash/app", 400, "#f28e2b"),
        ("flash/app/1", "counter", "flash/app", 100, "#f28e2b"),
        ("flash/app/rest", "2 more", "flash/app", 80, "#f28e2b"),
        ("flash/model weights", WEIGHTS, "flash", 200, "#76b7b2"),
        ("flash/model weights/0", "g_model", "flash/model weights", 200, "#76b7b2"),
        ("flash/(unknown)", UNKNOWN, "flash", 12, "#59a14f"),
        ("flash/(unknown)/0", "? (unknown)", "flash/(unknown)", 12, "#59a14f"),
        ("flash/(padding)", PADDING, "flash", 10, "#edc948"),
        ("flash/(padding)/0", "between sections in FLASH", "flash/(padding)", 10, "#edc948"),
        ("flash/(linker)", LINKER, "flash", 4, "#b07aa1"),
        ("flash/(linker)/0", "LONG (linker)", "flash/(linker)", 4, "#b07aa1"),
    ]
    assert (t.type, t.branchvalues, t.maxdepth) == ("treemap", "total", 3)
    assert t.hovertemplate == "%{label}<br>%{value:,} B<extra></extra>"
    layout = fig.layout
    assert (layout.title.text, layout.height) == ("flash map", 460)
    assert (layout.margin.l, layout.margin.r, layout.margin.t, layout.margin.b) == (10, 10, 50, 10)
    assert treemap(gated(), "flash", "f", height=300).layout.height == 300


def test_ram_treemap_and_the_default_top():
    report = gated()
    report.accounting.regions[1].gap = 6  # RAM padding is in the RAM view, never in flash
    (t,) = treemap(report, "ram", "ram map").data
    assert list(zip(t.ids, t.labels, t.parents, t.values, strict=True)) == [
        ("ram", "ram 314 B", "", 314),
        ("ram/tensor arena", ARENA, "ram", 208),
        ("ram/tensor arena/0", "arena", "ram/tensor arena", 208),
        ("ram/app", APP, "ram", 100),
        ("ram/app/0", "counter", "ram/app", 100),
        ("ram/(padding)", PADDING, "ram", 6),
        ("ram/(padding)/0", "between sections in RAM", "ram/(padding)", 6),
    ]
    many = gated()
    acc = many.accounting
    acc.leaves += [Leaf("symbol", ".bss", 0x2000_0100 + i, 1, f"s{i}", component=ARENA) for i in range(25)]
    (t,) = treemap(many, "ram", "r").data
    labels = [label for label, parent in zip(t.labels, t.parents, strict=True) if parent == "ram/tensor arena"]
    assert len(labels) == 21 and labels[0] == "arena" and labels[-1] == "6 more"  # the 20 largest, then the rest


def test_no_treemap_for_an_empty_view():
    acc = accounting()
    acc.leaves = [leaf for leaf in acc.leaves if leaf.section == ".text"]
    assert treemap(Report(acc), "ram", "r") is None
    assert treemap(Report(acc), "flash", "f") is not None
