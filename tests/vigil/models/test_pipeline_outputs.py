"""`vigil models pipeline`'s summary: readable at 80 columns (columns dropped or folded, never a
figure cut to `22…`), and the same figures as JSON and Markdown."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from vigil.models.fetch import fetch_model, role_path
from vigil.models.inspect import inspect_model
from vigil.models.pipeline import Agreement, PipelineResult
from vigil.models.render import MAX_WORD, pipeline_json, pipeline_markdown, pipeline_table
from vigil.models.validate import SampleResult, ValidationReport
from vigil.tflite.model import load_tflite

# (model, conversion agreement, labelled samples, correct): inspect's figures are the real ones
CASES = (("kws_ref_model", Agreement(74, 80), 79, 50), ("vww_96_int8", Agreement(72, 74), 74, 66))
CASES += (("micro_speech_quantized", None, 39, 33),)


@pytest.fixture(scope="module")
def results(manifest, model_mirror):
    out = []
    for name, agreement, labelled, correct in CASES:
        spec = manifest.get(name)
        fetched = fetch_model(spec, None, [model_mirror])
        report = inspect_model(load_tflite(role_path(spec, "int8", fetched)), name)
        label, other = spec.labels[0], spec.labels[1]
        samples = [
            SampleResult(f"s{i}.wav", label, None, label, label if i < correct else other, 0, None)
            for i in range(labelled)
        ]
        validation = ValidationReport(name, spec.labels, samples)
        out.append(PipelineResult(spec, len(fetched), None, agreement, report, validation, (Path("m.c"),)))
    return out


def rendered(results, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(pipeline_table(results, "out", width))
    return console.export_text().splitlines()


def figures(r: PipelineResult) -> list[str]:
    i = r.inspect
    return [f"{i.params:,}", f"{i.macs:,}", f"{i.flash_bytes:,}", f"{i.arena_bytes:,}"]


@pytest.mark.parametrize("width", [80, 100, 120])
def test_narrow_table_keeps_every_figure_whole(results, width):
    lines = rendered(results, width)
    assert max(len(line.rstrip()) for line in lines) <= width
    text = "\n".join(lines)
    assert "…" not in text
    for r in results:
        for figure in figures(r):
            assert any(figure in line.split() for line in lines), (width, figure)
        name = r.spec.name
        head = next(line for line in lines if line.split() and name.startswith(line.split()[0]))
        first = head.split()[0]
        if len(name) <= MAX_WORD or width >= 120:
            assert first == name, (width, name)
        else:  # folded onto the next line, nothing lost
            assert first + lines[lines.index(head) + 1].split()[0] == name, (width, name)
    assert "74/80" in text and "(92.5" in text and "LSB" in text


def test_wide_table_has_every_column(results):
    lines = rendered(results, 160)
    text = "\n".join(lines)
    assert "…" not in text and max(len(line) for line in lines) <= 160
    for header in ("task", "files", "ops", "sources", "converted (agrees", "TFLite vs TFLM"):
        assert header in text, header
    for r in results:
        row = next(line for line in lines if f" {r.spec.name} " in line)
        for figure in figures(r):
            assert f" {figure} " in row
        assert f" {len(r.inspect.ops)} " in row


def test_json_and_markdown_say_the_same(results):
    doc = pipeline_json(results, "out")
    assert doc["schema"] == "vigil-pipeline/1"
    md = pipeline_markdown(results, "out")
    for r, m in zip(results, doc["models"], strict=True):
        assert (m["params"], m["macs"], m["flash_bytes"], m["arena_bytes"]) == (
            r.inspect.params,
            r.inspect.macs,
            r.inspect.flash_bytes,
            r.inspect.arena_bytes,
        )
        labelled, correct = next((n, c) for name, _, n, c in CASES if name == r.spec.name)
        assert m["evaluated"] == labelled and m["accuracy"]["tflm"] == correct / labelled
        row = next(line for line in md.splitlines() if line.startswith(f"| {r.spec.name} |"))
        assert all(f"| {figure} |" in row for figure in figures(r))
        assert f"{100 * correct / labelled:.1f} % of {labelled}" in row


@pytest.mark.slow
def test_pipeline_cli_json_matches_inspect(cli, tmp_path):
    code, out, err = cli("models", "pipeline", "micro_speech_quantized", "--out", tmp_path, "--json")
    assert code == 0, err
    doc = json.loads(out)  # stdout is the document alone
    (model,) = doc["models"]
    code, out, _ = cli("models", "inspect", "micro_speech_quantized", "--json")
    inspect = json.loads(out)
    for key in ("sha256", "params", "macs", "flash_bytes", "arena_bytes"):
        assert model[key] == inspect[key], key
    assert model["passed"] and model["conversion"] is None and len(model["generated"]) == 6
    code, out, _ = cli("models", "pipeline", "micro_speech_quantized", "--out", tmp_path, "--markdown")
    assert code == 0 and out.startswith("### Vigil model pipeline") and f"| {inspect['macs']:,} |" in out
