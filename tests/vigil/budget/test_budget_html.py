"""`vigil budget --html`: regions with their limits, the budget lines, deltas, the reason for exit
1, "not gated" without a budget; plotly figures whose numbers are the linker's own; a page that
needs no network and really renders in a browser."""

import json
from html.parser import HTMLParser

import pytest

from tests.tools import require_tool
from vigil.budget.analyze import Inputs, analyze, parse_linker_usage
from vigil.budget.plots import region_bars, region_components, treemap

BUDGET = """
regions:
  FLASH: {warn: 3%, fail: 50%}
  RAM2: {warn: 60%, fail: 90%}
components:
  tensor arena: {ram: {warn: 32 KiB, fail: 60 KiB}}
"""  # the arena is 65,536 bytes: over its fail limit of 61,440


def run_budget(cli, fw, *extra):
    return cli("budget", fw.elf, "--map", fw.map, "--linker-output", fw.linker_output, *extra)


class _Refs(HTMLParser):
    """Everything a page would load: src/href attributes, <link>, <iframe>, CSS @import."""

    def __init__(self):
        super().__init__()
        self.refs, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        for key in ("src", "href", "data"):
            if attrs.get(key):
                self.refs.append((tag, key, attrs[key]))
        if tag in ("link", "iframe", "object", "embed"):
            self.refs.append((tag, "", ""))

    def handle_data(self, data):
        if self.lasttag == "style" and "@import" in data:
            self.refs.append(("style", "@import", ""))


def external_references(text: str) -> list:
    parser = _Refs()
    parser.feed(text)
    return parser.refs


def test_over_budget_page_says_why_it_exits_1(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(BUDGET)
    page = tmp_path / "memory.html"
    code, out, err = run_budget(cli, firmware, "--budget", budget, "--html", page)
    reason = "component tensor arena (ram) uses 65,536 B, over its fail limit of 61,440 B"
    assert code == 1 and str(page) in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vigil: error: ") and reason in lines[0]
    text = page.read_text()
    assert f"Budget: FAIL — over budget: {reason}" in text


def test_page_lists_regions_with_the_linkers_figures_and_the_limits(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(BUDGET)
    page = tmp_path / "memory.html"
    run_budget(cli, firmware, "--budget", budget, "--html", page)
    text = page.read_text()
    linker = parse_linker_usage(firmware.linker_output)
    for region, used in linker.items():
        assert f"<td>{region}</td><td class='n'>{used:,}</td>" in text, region
    # FLASH 512 KiB: warn 3 % = 15,728 B, fail 50 % = 262,144 B; RAM has no limit: not gated
    assert "<td class='n'>15,728</td><td class='n'>262,144</td>" in text
    assert "<td>RAM</td>" in text and "not gated" in text.split("<td>RAM</td>", 1)[1].split("</tr>", 1)[0]
    assert "component tensor arena (ram)" in text and "61,440" in text


def test_without_a_budget_every_output_says_not_gated(cli, firmware, tmp_path):
    code, out, _ = run_budget(cli, firmware, "--markdown")
    assert code == 0 and out.startswith("### Memory budget: **not gated**") and "OK" not in out.splitlines()[0]
    checks = out.split("Checks that ran:", 1)[1]
    for name in ("accounting: closes", "linker cross-check: regions FLASH, RAM, RAM2", "budget: not gated", "baseline"):
        assert f"- {name}" in checks, name
    code, out, _ = run_budget(cli, firmware, "--json")
    assert code == 0 and json.loads(out)["budget"] is None
    code, out, _ = run_budget(cli, firmware)
    assert code == 0 and "not gated" in out
    page = tmp_path / "memory.html"
    code, out, _ = run_budget(cli, firmware, "--html", page)
    assert code == 0 and "(budget: not gated)" in out and "Budget: not gated" in page.read_text()


def test_markdown_names_the_checks_of_a_gated_run(cli, firmware, tmp_path):
    budget = tmp_path / "budget.yml"
    budget.write_text(BUDGET.replace("fail: 60 KiB", "fail: 64 KiB"))
    code, out, _ = run_budget(cli, firmware, "--budget", budget, "--markdown")
    assert code == 0
    assert f"- budget: WARN: 2 region and 1 component limits of {budget}" in out


def test_deltas_against_a_baseline_are_on_the_page(cli, firmware, changed_firmware, tmp_path):
    code, out, _ = run_budget(cli, firmware, "--json")
    baseline = tmp_path / "old.json"
    baseline.write_text(out)
    code, out, _ = run_budget(cli, changed_firmware, "--json", "--baseline", baseline)
    deltas = json.loads(out)["deltas"]
    page = tmp_path / "memory.html"
    run_budget(cli, changed_firmware, "--baseline", baseline, "--html", page)
    text = page.read_text()
    assert "Against the baseline" in text and "Δ used" in text
    regions = text.split("<h2>Memory regions</h2>", 1)[1].split("</table>", 1)[0]
    for name, d in deltas["regions"].items():
        cls = "muted" if not d["delta"] else "up" if d["delta"] > 0 else "down"
        shown = f"<span class='{cls}'>{d['delta']:+,}</span>" if d["delta"] else f"<span class='{cls}'>0</span>"
        row = regions.split(f"<td>{name}</td>", 1)[1].split("</tr>", 1)[0]
        assert row.endswith(f"<td class='n'>{shown}</td>"), (name, row)
    name, d = next((n, d) for n, d in deltas["components"].items() if d["flash"])
    assert (
        f"<td>{name}</td><td class='n'><span class='{'up' if d['flash'] > 0 else 'down'}'>{d['flash']:+,}</span>"
        in text
    )
    assert "rounding@arm_nn_util.c" in text and "-96</span>" in text


def test_page_is_self_contained(cli, firmware, tmp_path):
    page = tmp_path / "memory.html"
    run_budget(cli, firmware, "--html", page)
    text = page.read_text()
    assert external_references(text) == []
    assert text.count("Plotly.newPlot(") == 3 and text.count("plotly.js v") >= 1  # plotly.js inlined once


def test_region_bars_add_up_to_the_linkers_used_bytes(firmware):
    report = analyze(Inputs(firmware.elf, firmware.map, None, None), linker_output=firmware.linker_output)
    linker = parse_linker_usage(firmware.linker_output)
    parts = region_components(report)
    assert {name: sum(p.values()) for name, p in parts.items()} == linker
    fig = region_bars(report, "test")
    for region, used in linker.items():
        i = list(fig.data[0].x).index(region)
        assert sum(trace.customdata[i] for trace in fig.data) == used, region
    flash = treemap(report, "flash", "flash", top=5)
    root = list(flash.data[0].ids).index("flash")
    assert flash.data[0].values[root] == report.view_totals()["flash"]["used"]


@pytest.mark.slow
def test_page_renders_in_headless_chromium(cli, firmware, tmp_path):
    require_tool("chromium")
    from vigil.browser import dump_dom

    page = tmp_path / "memory.html"
    run_budget(cli, firmware, "--html", page)
    dom = dump_dom(page)
    assert dom.count('class="main-svg"') >= 3  # plotly drew every figure
    assert "g_model" in dom
