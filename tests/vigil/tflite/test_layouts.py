"""The verifier's field layouts (vigil.tflite.layouts) are the firmware reader's
(modules/vigil/src/tflite_reader.c), and each union's table has a layout for every member of
the schema TFLM's Python package carries."""

from __future__ import annotations

import re

from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as tflm_schema

from vigil.settings import REPO_ROOT
from vigil.tflite import layouts

READER = (REPO_ROOT / "modules/vigil/src/tflite_reader.c").read_text()


def c_table(name: str) -> list[tuple[str, int, str]]:
    body = re.search(r"static const char \*const " + name + r"\[\] = \{(.*?)\n\};", READER, re.S).group(1)
    return [(layout, int(i), member) for layout, i, member in re.findall(r'"([^"]*)",\s*/\*\s*(\d+)\s+(\w+)', body)]


def c_define(name: str) -> str:
    return re.search(r"#define " + name + r' "([^"]*)"', READER).group(1)


def test_the_union_layouts_are_the_readers():
    for python, c, union in (
        (layouts.OPTIONS, "options_layout", tflm_schema.BuiltinOptions),
        (layouts.OPTIONS2, "options2_layout", tflm_schema.BuiltinOptions2),
        (layouts.DETAILS, "details_layout", tflm_schema.QuantizationDetails),
        (layouts.INDEX_VECTOR, "index_vector_layout", tflm_schema.SparseIndexVector),
    ):
        rows = c_table(c)
        assert [i for _, i, _ in rows] == list(range(len(rows))), c
        assert python == tuple(layout for layout, _, _ in rows), c
        members = {value: key for key, value in vars(union).items() if not key.startswith("_")}
        assert {i: m for _, i, m in rows} == members, c  # a layout per member, named as the schema
        assert set("".join(python)) <= set("bhilBHILs."), c


def test_the_table_layouts_are_the_readers():
    for python, c in (
        (layouts.SPARSITY, "SPARSITY_LAYOUT"),
        (layouts.DIMENSION, "DIMENSION_LAYOUT"),
        (layouts.EXTERNAL_GROUP, "EXTERNAL_GROUP_LAYOUT"),
        (layouts.EXTERNAL_BUFFER, "EXTERNAL_BUFFER_LAYOUT"),
    ):
        assert python == c_define(c), c
