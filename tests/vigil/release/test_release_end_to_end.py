"""`vigil release` on the reference models and everything runnable here, checked against the
individual commands' own outputs (`vigil models inspect --json`, `vigil regress run --json`,
`vigil budget --json`, `vigil bench frontend`'s figures) and independent references (the model
files' sha256, models.yml and west.yml read as YAML, git, the umask)."""

import hashlib
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.tools import require_tool
from tests.vigil.budget.test_budget_html import external_references
from tests.vigil.release.runs import release
from vigil.release.report import changed_deltas, figures
from vigil.workspace import missing_reason

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
STAGES = ("models", "regression", "images", "front-end", "gates")


@pytest.fixture(scope="module")
def manifest_yaml():
    return yaml.safe_load((REPO / "models.yml").read_text())["models"]


def test_ready_with_one_line_per_stage_and_the_verdict_last(release_run):
    assert release_run.code == 0, release_run.stderr[-3000:]
    lines = release_run.stdout.strip().splitlines()
    stage_lines = [line for line in lines if line.startswith("release: ")]
    assert [line.split(":")[1].strip() for line in stage_lines] == list(STAGES)
    doc = release_run.doc
    assert lines[-2] == doc["verdict"] and doc["verdict"].startswith("READY: ")
    assert lines[-1].startswith(f"report: {release_run.out / 'release.html'} (also ")


def test_json_has_the_documented_keys(release_run, manifest_yaml):
    doc = release_run.doc
    assert doc["schema"] == "vigil-release/1" and doc["ready"] is True
    assert {"models", "regress", "boards", "gates", "provenance", "deltas", "frontend"} <= set(doc)
    assert [m["name"] for m in doc["models"]] == list(manifest_yaml)
    for m in doc["models"]:
        assert {"name", "sha256", "flash_bytes", "arena_bytes", "macs", "params", "accuracy", "conversion"} <= set(m)
    for r in doc["regress"]:
        assert {"suite", "target", "passed", "accuracy", "correct", "total", "clips", "streams"} <= set(r)
    for b in doc["boards"]:
        assert {"board", "status"} <= set(b) and ("regions" in b or "reason" in b)
    assert all(set(g) == {"name", "status", "passed", "detail"} for g in doc["gates"])
    assert doc["deltas"] is None


def test_models_match_models_inspect_and_the_files(release_run, cli, manifest_yaml, model_mirror):
    for m in release_run.doc["models"]:
        code, out, _ = cli("models", "inspect", m["name"], "--json")
        inspect = json.loads(out)
        for key in ("sha256", "flash_bytes", "arena_bytes", "macs", "params"):
            assert m[key] == inspect[key], (m["name"], key)
        assert m["arena_target"] == inspect["arena"]["target"] == "cortex-m33"
        int8 = next(f for f in manifest_yaml[m["name"]]["files"] if f["role"] == "int8")
        assert m["sha256"] == int8["sha256"] == hashlib.sha256((model_mirror / int8["path"]).read_bytes()).hexdigest()
        for name in m["generated"]:
            assert Path(name).is_file() and Path(name).parent == release_run.out / "models" / m["name"]


def test_regression_matches_regress_run(release_run, cli, tmp_path):
    doc = release_run.doc
    suites = sorted(p.stem for p in (REPO / "tests" / "samples").glob("*.yml"))
    assert sorted({r["suite"] for r in doc["regress"]}) == suites
    assert {r["target"] for r in doc["regress"]} == {"host", "qemu"}
    for r in doc["regress"]:
        golden = release_run.out / "goldens" / f"{r['suite']}.golden.json"
        assert r["golden"] == {"path": str(golden), "made": True, "reason": "missing"}
        args = ("regress", "run", r["suite"], "--target", r["target"], "--golden", golden)
        if r["status"] == "skipped":
            code, _, err = cli(*args)
            assert code == 2 and r["reason"] in err  # the command refuses it for the reason the release gives
            continue
        code, _, err = cli(*args, "--json", tmp_path / "run.json")
        run = json.loads((tmp_path / "run.json").read_text())
        assert code == 0 and r["passed"] is run["passed"] is True, err
        acc = run["accuracy"]
        assert (r["correct"], r["total"]) == (acc["correct"], acc["total"])
        assert r["accuracy"] == pytest.approx(acc["top1"], abs=5e-5)
        assert r["confusion"] == acc["confusion"]
        assert (r["clips"], r["streams"]) == (len(run["clips"]), len(run["streams"]))
        assert r["hits"] == sum(s["hits"] for s in run["streams"])


def test_qemu_image_matches_vigil_budget(release_run, cli):
    (qemu,) = [b for b in release_run.doc["boards"] if b["board"] == "qemu_an505"]
    elf = REPO / "build" / "qemu" / "vigil-qemu.elf"
    budget = REPO / "boards" / "qemu_an505" / "budget.yml"
    code, out, _ = cli("budget", elf, "--map", elf.with_suffix(".map"), "--budget", budget, "--json")
    doc = json.loads(out)
    assert code == 0 and qemu["status"] == doc["budget"]["status"] == "ok"
    assert [(r["name"], r["used"], r["size"]) for r in qemu["regions"]] == [
        (r["name"], r["used"], r["length"]) for r in doc["regions"]
    ]
    assert qemu["lines"] == doc["budget"]["lines"]
    limits = {line["name"]: line for line in doc["budget"]["lines"] if line["scope"] == "region"}
    for r in qemu["regions"]:
        assert (r["warn"], r["fail"]) == (
            (limits[r["name"]]["warn"], limits[r["name"]]["fail"]) if r["name"] in limits else (None, None)
        )
    assert qemu["budget_file"] == "boards/qemu_an505/budget.yml"
    assert json.loads(Path(qemu["budget_json"]).read_text())["regions"] == doc["regions"]


def test_every_zephyr_board_is_skipped_with_the_reason(release_run):
    sample = yaml.safe_load((REPO / "app" / "sample.yaml").read_text())["tests"]
    boards = list(dict.fromkeys(p for t in sample.values() for p in t["platform_allow"]))
    doc = release_run.doc
    skipped = [b for b in doc["boards"] if b["board"] != "qemu_an505"]
    assert [b["board"] for b in skipped] == boards
    reason = missing_reason()
    assert reason and all(b["status"] == "skipped" and b["reason"] == reason for b in skipped)
    assert all(
        b["commands"] and all(c.startswith(f"west build -b {b['board']} ") for c in b["commands"]) for b in skipped
    )
    assert all(t["status"] == "skipped" and t["reason"] == reason for t in doc["twister"])


def test_gates_follow_the_floors_of_models_yml(release_run, manifest_yaml):
    doc = release_run.doc
    gates = {g["name"]: g for g in doc["gates"]}
    for m in doc["models"]:
        floors = manifest_yaml[m["name"]].get("release", {})
        accuracy = gates[f"accuracy {m['name']}"]
        if "min_top1" in floors:
            assert accuracy["passed"] is (m["accuracy"]["tflm"] >= floors["min_top1"]) is True
        else:
            assert accuracy["status"] == "not gated"
        conversion = gates[f"conversion {m['name']}"]
        if "min_conversion_agreement" in floors:
            agreement = m["conversion"]["agree"] / m["conversion"]["total"]
            assert conversion["passed"] is (agreement >= floors["min_conversion_agreement"]) is True
        else:
            assert conversion["status"] == "not gated" and conversion["passed"] is None
        assert gates[f"tflite-vs-tflm {m['name']}"]["passed"] is True
    for r in doc["regress"]:
        assert gates[f"regression {r['suite']} on {r['target']}"]["passed"] is r["passed"]
    assert gates["budget qemu_an505"]["passed"] is True
    assert not [g for g in doc["gates"] if g["status"] == "fail"]
    assert doc["ready"] is True


def test_markdown_says_what_the_json_says(release_run):
    doc, md = release_run.doc, release_run.markdown
    lines = md.splitlines()
    assert lines[0] == "## vigil release: ✅ ready to ship" and lines[2] == f"**{doc['verdict']}**"
    assert "### Failed gates" not in md
    gates_section = md.split("### Gates", 1)[1].split("###", 1)[0]
    for g in doc["gates"]:
        row = next(line for line in gates_section.splitlines() if g["name"] in line)
        assert f" {g['status']} |" in row, g["name"]
    for m in doc["models"]:
        row = next(line for line in md.splitlines() if line.startswith(f"| {m['name']} |"))
        assert f"| {m['flash_bytes']:,} |" in row and f"| {m['macs']:,} |" in row
    for r in doc["regress"]:
        if r["accuracy"] is not None:
            assert f"| {r['suite']} | {r['target']} | ✅ pass | {100 * r['accuracy']:.1f} % of {r['total']} |" in md


def test_provenance(release_run):
    p = release_run.doc["provenance"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    assert p["git_commit"] == head and p["git_describe"]
    west = yaml.safe_load((REPO / "west.yml").read_text())["manifest"]["projects"]
    assert p["revisions"]["zephyr"] == next(x["revision"] for x in west if x["name"] == "zephyr")
    assert p["revisions"]["tflite-micro"] == p["revisions"]["cmsis-nn"] == "not known offline"
    assert "not known offline" in p["revisions_note"]
    assert p["tools"]["tensorflow"] and p["tools"]["plotly"] and "QEMU" in p["tools"]["qemu-system-arm"]


def test_frontend_figures_are_bench_frontends(release_run):
    from vigil.bench.frontend import measure_frontend
    from vigil.release.frontend_stage import flatten, is_timing

    fe = release_run.doc["frontend"]
    again = flatten(measure_frontend())  # instructions under -icount: the same in every run
    assert fe["figures"] == {k: v for k, v in again.items() if not is_timing(k)}
    assert set(fe["timings"]) == {k for k in again if is_timing(k)}


def test_outputs_get_the_umask_permissions(release_run):
    mask = os.umask(0)
    os.umask(mask)
    for name in ("release.json", "release.md", "release.html", "goldens/kws.golden.json"):
        assert stat.S_IMODE((release_run.out / name).stat().st_mode) == 0o666 & ~mask, name


def test_html_is_self_contained_and_renders_in_chromium(release_run, tmp_path):
    require_tool("chromium")
    from PIL import Image

    from vigil.browser import dump_dom, screenshot

    page = release_run.out / "release.html"
    text = page.read_text()
    assert external_references(text) == [] and text.count("plotly.js v") >= 1
    plots = text.count("Plotly.newPlot(")
    # accuracy, a confusion matrix per suite, region bars and two treemaps for the QEMU image, front-end
    assert plots == 1 + 3 + 3 + 1
    dom = dump_dom(page)
    assert dom.count('class="main-svg"') >= plots  # plotly drew every figure
    png = screenshot(page, tmp_path / "release.png", 1300, 2400)
    image = Image.open(png).convert("RGB")
    assert image.size == (1300, 2400)
    small = image.resize((130, 240))
    pixels = list(small.getdata())
    assert sum(1 for p in pixels if p != (255, 255, 255)) > 0.1 * len(pixels)  # not blank
    assert len(set(image.getdata())) > 100  # text, bars and heat maps, not one colour


def test_baseline_of_the_same_build_gives_deltas_of_zero(release_run, baseline_run):
    assert baseline_run.code == 0, baseline_run.stderr[-3000:]
    doc = baseline_run.doc
    assert doc["baseline"] == str(release_run.out / "release.json")
    assert changed_deltas(doc["deltas"]) == []

    def keys(tree):
        return {k: keys(v) for k, v in tree.items()} if isinstance(tree, dict) and "delta" not in tree else None

    assert keys(doc["deltas"]) == keys(figures(doc))  # every figure of the run is compared
    assert doc["deltas"]["models"]["kws_ref_model"]["flash_bytes"] == {"before": 53936, "after": 53936, "delta": 0}
    assert all(r["golden"]["made"] is False and r["golden"]["reason"] == "up to date" for r in doc["regress"])
    assert "Every figure is the same as in the baseline." in baseline_run.markdown


def _objdump_sections(elf: Path) -> list[tuple[str, int, int, int, str]]:
    """(name, size, vma, lma, flags) of every section, as binutils reads them."""
    out = subprocess.run([require_tool("arm-none-eabi-objdump"), "-h", str(elf)], capture_output=True, text=True).stdout
    lines, sections = out.splitlines(), []
    for i, line in enumerate(lines):
        parts = line.split()
        if len(parts) == 7 and parts[0].isdigit():
            sections.append((parts[1], int(parts[2], 16), int(parts[3], 16), int(parts[4], 16), lines[i + 1]))
    return sections


def test_one_byte_over_a_region_limit_fails_naming_the_board_and_region(release_run, tmp_path):
    elf = REPO / "build" / "qemu" / "vigil-qemu.elf"
    sections = [s for s in _objdump_sections(elf) if "ALLOC" in s[4]]
    code_end = max(
        lma + size for _, size, _, lma, flags in sections if "LOAD" in flags and 0x10000000 <= lma < 0x10400000
    )
    psram_end = max(vma + size for _, size, vma, _, _ in sections if 0x80000000 <= vma < 0x81000000)
    code_used, psram_used = code_end - 0x10000000, psram_end - 0x80000000
    budget = tmp_path / "tight.yml"
    budget.write_text(f"regions:\n  CODE: {{fail: {code_used}}}\n  PSRAM: {{fail: {psram_used - 1}}}\n")
    run = release(
        tmp_path / "out",
        "--models",
        "micro_speech_quantized",
        "--boards",
        "qemu_an505",
        "--no-frontend",
        "--budget",
        f"qemu_an505={budget}",
        "--goldens",
        str(release_run.out / "goldens"),
        "--quiet",
    )
    assert run.code == 1
    err = run.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vigil: error: not ready to ship: budget qemu_an505: ")
    assert f"region PSRAM uses {psram_used:,} B, over its fail limit of {psram_used - 1:,} B" in err[0]
    assert "CODE" not in err[0]  # exactly at its limit: within budget
    doc = run.doc
    assert doc["ready"] is False and [g["name"] for g in doc["gates"] if g["status"] == "fail"] == ["budget qemu_an505"]
    regions = {r["name"]: r for r in doc["boards"][0]["regions"]}
    assert (regions["CODE"]["used"], regions["CODE"]["status"]) == (code_used, "ok")
    assert (regions["PSRAM"]["used"], regions["PSRAM"]["status"]) == (psram_used, "fail")
    md = run.markdown.splitlines()
    assert md[0] == "## vigil release: ❌ NOT ready" and md[2] == f"**{doc['verdict']}**"
    assert md.index("### Failed gates") < md.index("### Gates")
    failed = md[md.index("### Failed gates") + 4]
    assert failed.startswith("| ❌ budget qemu_an505 | region PSRAM uses") and "CODE" not in failed
    assert not [line for line in run.stdout.splitlines() if line.startswith("release: ")]  # --quiet
    assert run.stdout.strip().splitlines()[0] == doc["verdict"]
