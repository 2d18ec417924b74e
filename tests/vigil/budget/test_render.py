"""budget/render.py on a small report built by hand: every table, the Markdown comment and the
HTML fragments, compared in full with what the numbers below must give (written out by hand)."""

from pathlib import Path

from vigil.budget.accounting import Accounting, Check, Leaf, RegionUsage, SectionUsage
from vigil.budget.budgetfile import Budget
from vigil.budget.render import (
    budget_lines_html,
    checks_ran,
    deltas_html,
    html_page,
    markdown,
    over_budget,
    regions_html,
    status_text,
    text_tables,
    treemaps_html,
)
from vigil.budget.report import Report, Verdict

SHA = "0123456789abcdef" * 4
LONG_NAME = "a_symbol_name_that_is_much_longer_than_seventy_characters_to_see_it_cut_x"  # 74
LONG_SOURCE = "/home/builder/a/rather/deep/tree/of/folders/that/goes/on/and/on/src/counter.c"  # 78


def regions() -> list[RegionUsage]:
    return [
        RegionUsage("FLASH", 0, 2048, False, used=1536, placed=1526, gap=10, linker_reported=1536),
        RegionUsage("RAM", 0x2000_0000, 1024, True, used=308, placed=308, gap=0, linker_reported=None),
        RegionUsage("NOINIT", 0x3000_0000, 0, True, used=0, placed=0, gap=0, linker_reported=None),
    ]


def sections() -> list[SectionUsage]:
    return [
        SectionUsage(".text", 0, 1300, 0, False, False, "FLASH", None),
        SectionUsage(".rodata", 1300, 216, 1300, False, False, "FLASH", None),
        SectionUsage(".data", 0x2000_0000, 100, 1516, False, True, "RAM", "FLASH"),
        SectionUsage(".bss", 0x2000_0064, 208, 0x2000_0064, True, True, "RAM", None),
    ]


def leaves() -> list[Leaf]:
    return [
        Leaf("symbol", ".text", 0, 400, "main", source="app/src/main.c", component="app"),
        Leaf(
            "symbol",
            ".text",
            400,
            700,
            "arm_convolve_s8",
            object="arm_convolve_s8.o",
            archive="libcmsis-nn.a",
            component="cmsis-nn",
        ),
        Leaf("symbol", ".text", 1100, 50, LONG_NAME, component="app"),
        Leaf("residue", ".text", 1150, 30, ".text.main", component="app"),
        Leaf("fill", ".text", 1180, 10, "*fill*", component="cmsis-nn"),
        Leaf("symbol", ".rodata", 1300, 200, "g_model", object="model.o", component="model weights"),
        Leaf("linker", ".rodata", 1500, 4, "LONG", component="(linker)"),
        Leaf("unknown", ".rodata", 1504, 12, "?", component="(unknown)"),
        Leaf("symbol", ".data", 0x2000_0000, 100, "counter", source=LONG_SOURCE, component="app"),
        Leaf("symbol", ".bss", 0x2000_0064, 208, "arena", object="arena.o", component="tensor arena"),
    ]


def accounting(checks=None) -> Accounting:
    return Accounting(
        elf="build/zephyr/zephyr.elf",
        elf_sha256=SHA,
        build_id=None,
        map="build/zephyr/zephyr.map",
        map_sha256=None,
        has_dwarf=False,
        sections=sections(),
        regions=regions(),
        leaves=leaves(),
        checks=checks if checks is not None else [Check("sections", True, "all attributed")],
    )


VERDICTS = [
    Verdict("component", "tensor arena", "ram", 208, 100, 200, "fail"),
    Verdict("region", "FLASH", None, 1536, 1500, None, "warn"),
    Verdict("region", "RAM", None, 308, None, 900, "ok"),
]
DELTAS = {
    "baseline": {"elf_sha256": "fedcba9876543210fedc"},
    "regions": {
        "FLASH": {"before": 1500, "after": 1536, "delta": 36, "padding_delta": -2},
        "RAM": {"before": 308, "after": 308, "delta": 0, "padding_delta": 0},
    },
    "components": {"app": {"flash": 12, "ram": -4}, "cmsis-nn": {"flash": -1000, "ram": 0}},
    "symbols": {
        "added": [{"identity": "push<int>@queue.cc", "size": 8}],
        "removed": [{"identity": "old@y.c", "size": 64}],
        "changed": [{"identity": "main@main.c", "before": 388, "after": 400, "delta": 12}],
        "moved": [{"name": "memcpy", "from": "memcpy@a.c", "to": "memcpy@b.c", "before": 9, "after": 6, "delta": -3}],
    },
}


def gated(deltas=DELTAS, board="nrf5340dk/nrf5340/cpuapp") -> Report:
    budget = Budget(Path("boards/x/budget.yml"), None, {}, {}, ())
    return Report(accounting(), board=board, budget=budget, verdicts=list(VERDICTS), deltas=deltas)


def not_gated() -> Report:
    return Report(accounting())


def cells(table) -> list[list[str]]:
    """A rich table's rows as strings, header first."""
    columns = table.columns
    rows = [[c.header for c in columns]]
    rows += [[str(c._cells[i]) for c in columns] for i in range(table.row_count)]
    return rows


def justified(table) -> list[str]:
    return [c.justify for c in table.columns]


# -- plain-text tables -----------------------------------------------------------------------


def test_text_tables_of_a_report_without_budget():
    tables = text_tables(not_gated(), top=3)
    assert [t.title for t in tables] == [
        "memory regions (build/zephyr/zephyr.elf)",
        "components",
        "largest 3 symbols",
        "bytes not in any symbol",
        "budget: not gated",
    ]
    mem, comps, syms, loose, budget = tables
    assert cells(mem) == [
        ["region", "used", "length", "used %", "free", "padding", "linker says"],
        ["FLASH", "1,536", "2,048", "75.0 %", "512", "10", "1,536"],
        ["RAM", "308", "1,024", "30.1 %", "716", "0", "-"],
        ["NOINIT", "0", "0", "-", "0", "0", "-"],
    ]
    assert justified(mem) == ["left"] + ["right"] * 6
    # app: flash 400 + 50 + 30 + 100 (the load image of .data), ram 100; cmsis-nn 700 + 10 of fill
    assert cells(comps) == [
        ["component", "flash", "ram"],
        ["cmsis-nn", "710", "0"],
        ["app", "580", "100"],
        ["tensor arena", "0", "208"],
        ["model weights", "200", "0"],
        ["(unknown)", "12", "0"],
        ["(padding)", "10", "0"],
        ["(linker)", "4", "0"],
    ]
    assert justified(comps) == ["left", "right", "right"]
    assert cells(syms) == [
        ["size", "symbol", "component", "section", "source / object"],
        ["700", "arm_convolve_s8", "cmsis-nn", ".text", "libcmsis-nn.a(arm_convolve_s8.o)"],
        ["400", "main", "app", ".text", "app/src/main.c"],
        ["208", "arena", "tensor arena", ".bss", "arena.o"],
    ]
    assert justified(syms) == ["right", "left", "left", "left", "left"]
    assert cells(loose) == [
        ["kind", "bytes"],
        ["*fill*", "10"],
        ["linker-generated", "4"],
        ["input-section residue", "30"],
        ["unknown", "12"],
        ["padding between sections", "10"],
    ]
    assert justified(loose) == ["left", "right"]
    assert budget.show_header is False
    assert cells(budget)[1:] == [
        ["not gated: no budget file (give --board with a boards/<board>/budget.yml, or --budget)"]
    ]


def test_text_tables_cut_long_names_and_paths_and_show_deltas():
    tables = text_tables(gated(), top=10)
    assert len(tables) == 5
    comps, syms, budget = tables[1], tables[2], tables[4]
    assert cells(comps)[1:3] == [["cmsis-nn  (-1,000 / 0)", "710", "0"], ["app  (+12 / -4)", "580", "100"]]
    assert cells(comps)[3] == ["tensor arena", "0", "208"]
    rows = cells(syms)[1:]
    assert len(rows) == 6  # every symbol: fewer than top
    assert rows[-1] == ["50", LONG_NAME[:70], "app", ".text", "-"]
    assert rows[4] == ["100", "counter", "app", ".data", LONG_SOURCE[-60:]]
    assert rows[3] == ["200", "g_model", "model weights", ".rodata", "model.o"]
    assert budget.title == "budget boards/x/budget.yml : FAIL"
    assert cells(budget) == [
        ["status", "scope", "used", "warn", "fail"],
        ["[red]FAIL[/]", "component tensor arena (ram)", "208", "100", "200"],
        ["[yellow]warn[/]", "region FLASH", "1,536", "1,500", "-"],
        ["ok", "region RAM", "308", "-", "900"],
    ]
    assert justified(budget) == ["left", "left", "right", "right", "right"]


def test_text_tables_without_regions_have_no_region_table():
    acc = accounting()
    acc.regions = []
    for s in list(acc.sections):
        acc.sections[acc.sections.index(s)] = SectionUsage(
            s.name, s.address, s.size, s.load_address, s.nobits, s.writable, None, None
        )
    tables = text_tables(Report(acc), top=1)
    assert [t.title for t in tables] == [
        "components",
        "largest 1 symbols",
        "bytes not in any symbol",
        "budget: not gated",
    ]
    assert cells(tables[2])[-1] == ["padding between sections", "0"]


# -- checks and Markdown -----------------------------------------------------------------------


def test_checks_ran_of_each_kind_of_report():
    assert checks_ran(not_gated()) == [
        ("accounting", "closes: every byte of 4 sections attributed"),
        ("linker cross-check", "regions FLASH equal `ld --print-memory-usage`"),
        ("budget", "not gated: no budget file (give --board with a boards/<board>/budget.yml, or --budget)"),
        ("baseline", "none (no --baseline)"),
    ]
    assert checks_ran(gated())[2:] == [
        ("budget", "FAIL: 2 region and 1 component limits of boards/x/budget.yml"),
        ("baseline", "deltas against ELF fedcba9876543210"),
    ]
    empty = Report(accounting(), budget=Budget(Path("b.yml"), None, {}, {}, ()))
    assert checks_ran(empty)[2] == ("budget", "not gated: b.yml sets no limits")
    broken = accounting([Check("a", True, "fine"), Check("sum", False, "3 B missing"), Check("x", False, "y")])
    for r in broken.regions:
        r.linker_reported = None
    assert checks_ran(Report(broken))[:2] == [
        ("accounting", "DOES NOT CLOSE: sum: 3 B missing; x: y"),
        ("linker cross-check", "not run (no --linker-output)"),
    ]


def test_status_and_over_budget_lines():
    assert status_text(not_gated()) == "not gated"
    assert status_text(gated()) == "FAIL"
    assert over_budget(gated()) == ["component tensor arena (ram) uses 208 B, over its fail limit of 200 B"]
    assert over_budget(not_gated()) == []


MARKDOWN_GATED = """\
### Memory budget — nrf5340dk/nrf5340/cpuapp: **FAIL**

| | limit | used | warn | fail |
|---|---|---:|---:|---:|
| ❌ | component tensor arena (ram) | 208 | 100 | 200 |
| ⚠️ | region FLASH | 1,536 | 1,500 | - |

| region | used | of | free | Δ | Δ padding |
|---|---:|---:|---:|---:|---:|
| FLASH | 1,536 | 2,048 | 512 | +36 | -2 |
| RAM | 308 | 1,024 | 716 | 0 | 0 |
| NOINIT | 0 | 0 | 0 | 0 | 0 |

| component | Δ flash | Δ ram |
|---|---:|---:|
| cmsis-nn | -1,000 | 0 |
| app | +12 | -4 |

<details><summary>symbols that changed</summary>

| | symbol | Δ bytes |
|---|---|---:|
| removed | `old@y.c` | -64 |
| changed | `main@main.c` | +12 |
| added | `push&lt;int&gt;@queue.cc` | +8 |

</details>

Accounting closes: every byte of 4 sections is attributed.

Checks that ran:

- accounting: closes: every byte of 4 sections attributed
- linker cross-check: regions FLASH equal `ld --print-memory-usage`
- budget: FAIL: 2 region and 1 component limits of boards/x/budget.yml
- baseline: deltas against ELF fedcba9876543210
"""

MARKDOWN_NOT_GATED = """\
### Memory budget: **not gated**

| region | used | of | free |
|---|---:|---:|---:|
| FLASH | 1,536 | 2,048 | 512 |
| RAM | 308 | 1,024 | 716 |
| NOINIT | 0 | 0 | 0 |

Accounting closes: every byte of 4 sections is attributed.

Checks that ran:

- accounting: closes: every byte of 4 sections attributed
- linker cross-check: regions FLASH equal `ld --print-memory-usage`
- budget: not gated: no budget file (give --board with a boards/<board>/budget.yml, or --budget)
- baseline: none (no --baseline)
"""


def test_markdown_of_a_gated_report_with_deltas():
    # top 3 of the four movers by size: the move of memcpy (-3) is cut
    assert markdown(gated(), top=3) == MARKDOWN_GATED
    moved = markdown(gated(), top=4)
    assert "| moved from a.c | `memcpy@b.c` | -3 |\n\n</details>" in moved


def test_markdown_of_a_report_without_budget_or_baseline():
    assert markdown(not_gated(), top=5) == MARKDOWN_NOT_GATED


def test_markdown_of_accounting_that_does_not_close():
    report = Report(accounting([Check("sum", False, "3 B missing"), Check("ok", True, "x"), Check("b", False, "c")]))
    text = markdown(report, top=5)
    assert "\n**Accounting does not close:** 3 B missing; c\n" in text
    assert "Accounting closes" not in text


def test_markdown_with_a_baseline_that_changed_nothing():
    deltas = {"baseline": {"elf_sha256": None}, "regions": {}, "components": {}, "symbols": {}}
    text = markdown(Report(accounting(), deltas=deltas), top=5)
    assert "| FLASH | 1,536 | 2,048 | 512 | 0 | 0 |" in text
    assert "Δ flash" not in text and "<details>" not in text
    assert "- baseline: deltas against ELF None\n" in text


# -- HTML ----------------------------------------------------------------------------------------

HEAD = "<table><thead><tr>{}</tr></thead><tbody>"


def row(*cells_, numeric=()) -> str:
    return (
        "<tr>"
        + "".join(f"<td class='n'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(cells_))
        + "</tr>"
    )


def heads(*names) -> str:
    return HEAD.format("".join(f"<th>{n}</th>" for n in names))


def test_regions_html_with_limits_and_deltas():
    num = (1, 2, 3, 4, 5, 6, 7, 9)
    want = (
        heads("region", "used", "length", "used %", "free", "padding", "warn", "fail", "status", "Δ used")
        + row(
            "FLASH",
            "1,536",
            "2,048",
            "75.0 %",
            "512",
            "10",
            "1,500",
            "-",
            "<span class='warn'>warn</span>",
            "<span class='up'>+36</span>",
            numeric=num,
        )
        + row(
            "RAM",
            "308",
            "1,024",
            "30.1 %",
            "716",
            "0",
            "-",
            "900",
            "<span class='pass'>ok</span>",
            "<span class='muted'>0</span>",
            numeric=num,
        )
        + row("NOINIT", "0", "0", "-", "0", "0", "-", "-", "<span class='muted'>not gated</span>", "", numeric=num)
        + "</tbody></table>"
    )
    assert regions_html(gated()) == want


def test_regions_html_without_budget_or_baseline():
    num = (1, 2, 3, 4, 5, 6, 7, 9)
    gate = "<span class='muted'>not gated</span>"
    want = (
        heads("region", "used", "length", "used %", "free", "padding", "warn", "fail", "status")
        + row("FLASH", "1,536", "2,048", "75.0 %", "512", "10", "-", "-", gate, numeric=num)
        + row("RAM", "308", "1,024", "30.1 %", "716", "0", "-", "-", gate, numeric=num)
        + row("NOINIT", "0", "0", "-", "0", "0", "-", "-", gate, numeric=num)
        + "</tbody></table>"
    )
    assert regions_html(not_gated()) == want


def test_a_failing_region_is_marked_fail():
    report = gated()
    report.verdicts = [Verdict("region", "RAM", None, 308, None, 300, "fail")]
    assert "<td><span class='fail'>fail</span></td>" in regions_html(report)


def test_budget_lines_html():
    num = (2, 3, 4)
    want = (
        heads("status", "limit", "used", "warn", "fail")
        + row("<span class='fail'>fail</span>", "component tensor arena (ram)", "208", "100", "200", numeric=num)
        + row("<span class='warn'>warn</span>", "region FLASH", "1,536", "1,500", "-", numeric=num)
        + row("<span class='pass'>ok</span>", "region RAM", "308", "-", "900", numeric=num)
        + "</tbody></table>"
    )
    assert budget_lines_html(gated()) == want
    assert budget_lines_html(not_gated()) == (
        "<p class='muted'>not gated: no budget file (give --board with a boards/&lt;board&gt;/budget.yml, "
        "or --budget)</p>"
    )


def test_deltas_html():
    assert deltas_html(not_gated(), top=5) == ""
    want = (
        "<h2>Against the baseline</h2>"
        + heads("component", "Δ flash", "Δ ram")
        + row("cmsis-nn", "<span class='down'>-1,000</span>", "<span class='muted'>0</span>", numeric=(1, 2))
        + row("app", "<span class='up'>+12</span>", "<span class='down'>-4</span>", numeric=(1, 2))
        + "</tbody></table>"
        + heads("", "symbol", "Δ bytes")
        + row("removed", "<code>old@y.c</code>", "<span class='down'>-64</span>", numeric=(2,))
        + row("changed", "<code>main@main.c</code>", "<span class='up'>+12</span>", numeric=(2,))
        + "</tbody></table>"
    )
    assert deltas_html(gated(), top=2) == want
    last = deltas_html(gated(), top=4).rsplit("<tr>", 1)[1]
    assert last == (
        "<td>moved from a.c</td><td><code>memcpy@b.c</code></td>"
        "<td class='n'><span class='down'>-3</span></td></tr></tbody></table>"
    )
    quiet = {"baseline": {}, "regions": {}, "components": {}, "symbols": {}}
    assert deltas_html(Report(accounting(), deltas=quiet), top=5) == (
        "<h2>Against the baseline</h2><p>No component or symbol changed size.</p>"
    )
    only_symbols = dict(DELTAS, components={})
    text = deltas_html(Report(accounting(), deltas=only_symbols), top=1)
    assert "Δ flash" not in text and "No component" not in text and "<code>old@y.c</code>" in text


def test_html_page_says_the_verdict_and_the_checks():
    text = html_page(gated(), top=3)
    assert "<h1>Memory of zephyr.elf (nrf5340dk/nrf5340/cpuapp)</h1>" in text
    assert (
        "<div class='verdict notready'>Budget: FAIL — over budget: component tensor arena (ram) uses 208 B, "
        "over its fail limit of 200 B</div>"
    ) in text
    assert f"<p>ELF sha256 <code>{SHA[:16]}…</code></p>" in text
    assert (
        "<h2>Checks that ran</h2><ul><li><b>accounting</b>: closes: every byte of 4 sections attributed</li>"
        "<li><b>linker cross-check</b>: regions FLASH equal `ld --print-memory-usage`</li>"
        "<li><b>budget</b>: FAIL: 2 region and 1 component limits of boards/x/budget.yml</li>"
        "<li><b>baseline</b>: deltas against ELF fedcba9876543210</li></ul>"
    ) in text
    assert "<h2>Memory regions</h2>" + regions_html(gated()) + "<h2>Budget</h2>" + budget_lines_html(gated()) in text
    assert deltas_html(gated(), 3) + "<div class='figure'>" in text
    assert "<h2>Flash and RAM by component</h2><div class='figure'>" in text
    assert text.count("<div class='figure'>") == 3
    assert "<title>vigil budget zephyr.elf</title>" in text


def test_html_page_verdict_classes():
    plain = html_page(not_gated(), top=3)
    assert "<div class='verdict neutral'>Budget: not gated</div>" in plain
    assert "<h1>Memory of zephyr.elf</h1>" in plain
    report = gated()
    report.verdicts = [VERDICTS[2]]
    assert "<div class='verdict ready'>Budget: OK</div>" in html_page(report, top=3)
    broken = Report(accounting([Check("sum", False, "3 B missing")]), budget=gated().budget, verdicts=[VERDICTS[2]])
    assert "<div class='verdict notready'>Budget: OK</div>" in html_page(broken, top=3)


def test_html_page_without_regions_has_no_region_parts():
    acc = accounting()
    acc.regions = []
    acc.sections = [
        SectionUsage(s.name, s.address, s.size, s.load_address, s.nobits, s.writable, None, None) for s in acc.sections
    ]
    text = html_page(Report(acc), top=3)
    assert "<h2>Memory regions</h2>" not in text
    assert text.count("<div class='figure'>") == 2


def test_treemaps_html_skips_missing_figures():
    seen = []

    def figure(m):
        seen.append(m)
        return f"[{m}]"

    assert treemaps_html(["a", None, "b"], figure) == "[a][b]"
    assert seen == ["a", "b"]


def test_sums_orders_and_labels_at_their_edges():
    acc = accounting()
    acc.leaves.append(Leaf("residue", ".text", 0x4A0, 6, ".text.more", component="app"))
    loose = cells(text_tables(Report(acc), top=1)[3])
    assert loose[3] == ["input-section residue", "36"]  # two residue leaves add up
    # a component whose RAM change is larger comes first; a symbol name holding '@'; a delta of +1
    deltas = {
        "baseline": {"elf_sha256": "00"},
        "components": {"small": {"flash": 10, "ram": 0}, "ram heavy": {"flash": 1, "ram": -50}},
        "symbols": {
            # a hand-edited baseline may hold an identity without '@': shown whole
            "moved": [{"from": "f@plt@a.c", "to": "f@plt@b.c", "delta": 1}, {"from": "g", "to": "g@d.c", "delta": 3}],
            "added": [{"identity": "n@c.c", "size": 2}],
        },
    }  # no "regions": a baseline report may lack them
    report = Report(accounting(), deltas=deltas)
    text = markdown(report, top=5)
    assert text.index("| ram heavy | +1 | -50 |") < text.index("| small | +10 | 0 |")
    assert "| moved from a.c | `f@plt@b.c` | +1 |" in text and "| added | `n@c.c` | +2 |" in text
    page = deltas_html(report, top=5)
    assert page.index("<td>ram heavy</td>") < page.index("<td>small</td>")
    assert "<td>moved from a.c</td><td><code>f@plt@b.c</code></td><td class='n'><span class='up'>+1</span>" in page
    assert "<td>added</td><td><code>n@c.c</code></td>" in page
    assert "| moved from g | `g@d.c` | +3 |" in text and "<td>moved from g</td>" in page
    assert regions_html(report).count("<td class='n'></td></tr>") == 3  # no region deltas: empty cells
    bare = Report(accounting(), deltas={"baseline": {}})  # neither components nor symbols
    assert deltas_html(bare, top=5) == "<h2>Against the baseline</h2><p>No component or symbol changed size.</p>"


def test_html_page_joins_every_failing_line_and_titles_its_figures():
    report = gated()
    report.verdicts = [VERDICTS[0], Verdict("region", "RAM", None, 308, None, 300, "fail")]
    text = html_page(report, top=3)
    assert (
        "over budget: component tensor arena (ram) uses 208 B, over its fail limit of 200 B; "
        "region RAM uses 308 B, over its fail limit of 300 B</div>"
    ) in text
    for title in ("zephyr.elf: regions by component, against the budget", "zephyr.elf: flash by component"):
        assert f'"text":"{title}"' in text, title
    assert '"text":"zephyr.elf: ram by component"' in text


def test_html_page_passes_top_to_the_treemaps():
    assert '"3 more"' in html_page(gated(), top=1)  # app's 4 flash symbols: the largest, then 3 more
    assert '"3 more"' not in html_page(gated(), top=4)


def test_padding_of_every_region_of_a_view_adds_up():
    acc = accounting()
    acc.regions[1].gap = 6
    acc.regions[2].gap = 2
    assert Report(acc).components()["(padding)"] == {"flash": 10, "ram": 8}
