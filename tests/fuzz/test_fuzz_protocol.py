"""Fuzzing the result-line parser with damaged lines of the C encoders (hypothesis draws them,
derandomized): every line either parses or is one VigilError of one printable line; a line
damaged by construction (a non-ASCII or control character, a doubled field, a second line
ending) never parses, even with its CRC recomputed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.bench.fuzz import damage_line, valid_lines
from vigil.errors import VigilError
from vigil.protocol.result_line import parse_line

pytestmark = pytest.mark.slow
LINES_PER_EXAMPLE = 100


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(rng=st.randoms(use_true_random=False))
def test_damaged_lines_are_refused_or_parse(rng):
    originals = valid_lines(rng, 5)
    for line in originals:
        parse_line(line)
    for _ in range(LINES_PER_EXAMPLE):
        damaged, expect = damage_line(rng, rng.choice(originals))
        try:
            parse_line(damaged)
        except VigilError as e:
            text = str(e)
            assert text.startswith("line: ") and text.isascii() and text.isprintable(), repr(text)
            continue
        assert expect != "error", repr(damaged)
