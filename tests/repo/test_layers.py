"""The Python tree is layered: a package imports only from its own layer or the layers below, so
the picture of imports has no upward arrow (and no cycle between packages)."""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "scripts" / "vigil"
LAYERS = (
    {
        "__init__",
        "errors",
        "settings",
        "nativeio",
        "fileio",
        "io",
        "tfenv",
        "workspace",
        "htmlpage",
        "browser",
        "schema",
    },
    {"tflite"},  # what a .tflite is and costs; TFLM's runtime
    {"frontends", "datasets"},  # reference front-ends; generated data
    {"core"},  # the C core through ctypes and QEMU
    {"models", "protocol", "budget"},  # the model pipeline, the device protocol, memory budgets
    {"reference", "classify", "device", "samples"},  # what runs samples
    {"regress"},
    {"release", "bench"},
    {"cli", "__main__"},
)


def layer_of(name: str) -> int:
    for n, layer in enumerate(LAYERS):
        if name in layer:
            return n
    raise AssertionError(f"vigil.{name} is in no layer of {__file__}: add it where it belongs")


def imports() -> dict[str, set[tuple[str, str]]]:
    """package -> {(imported package, file)}"""
    found = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        src = rel.parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "vigil":
                parts = node.module.split(".")
                targets = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("vigil.")]
            else:
                continue
            for target in targets:
                if target != src:
                    found[src].add((target if target != "__version__" else "__init__", str(rel)))
    return found


def test_every_package_has_a_layer():
    for path in PACKAGE.iterdir():
        if path.name.startswith((".", "__pycache__")) or path.suffix not in (".py", ""):
            continue
        layer_of(path.stem)


def test_no_package_imports_from_a_layer_above_it():
    upward = [
        f"{file}.py (vigil.{src}, layer {layer_of(src)}) imports vigil.{dst} (layer {layer_of(dst)})"
        for src, targets in imports().items()
        for dst, file in targets
        if layer_of(dst) > layer_of(src)
    ]
    assert not upward, "\n".join(sorted(upward))


def test_packages_of_one_layer_do_not_import_each_other_in_a_cycle():
    graph = {src: {dst for dst, _ in targets} for src, targets in imports().items()}

    def reaches(a: str, b: str, seen: set) -> bool:
        return any(n == b or (n not in seen and reaches(n, b, seen | {n})) for n in graph.get(a, ()))

    cycles = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if reaches(b, a, {b}))
    assert not cycles, cycles
