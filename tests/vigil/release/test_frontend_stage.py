"""The front-end stage takes whatever fields `vigil bench frontend`'s dataclass has."""

from dataclasses import dataclass, fields

from vigil.bench.frontend import FrontendFigures
from vigil.release.frontend_stage import flatten, is_timing, run_frontend
from vigil.release.progress import Progress


@dataclass(frozen=True)
class Inner:
    cycles: int


@dataclass(frozen=True)
class Figures:
    mfcc_hop: int
    images: dict
    nested: Inner
    per_layer: tuple
    host_ms_per_second: float
    label: str
    ok: bool


def test_flatten_names_every_number_by_its_path():
    f = Figures(73600, {("gray8", 96, 96): 2502950, "rgb": 7}, Inner(5), (1, 2), 1.25, "x", True)
    assert flatten(f) == {
        "mfcc_hop": 73600,
        "images.gray8 96 96": 2502950,
        "images.rgb": 7,
        "nested.cycles": 5,
        "per_layer.0": 1,
        "per_layer.1": 2,
        "host_ms_per_second": 1.25,
    }


def test_times_of_this_host_are_kept_apart():
    assert is_timing("host_ms_per_second") and is_timing("seconds") and is_timing("convert_time")
    assert not is_timing("mfcc_hop") and not is_timing("images.rgb565 160 120") and not is_timing("hosts_total")
    result = run_frontend(Progress(), measure=lambda: Figures(1, {}, Inner(2), (), 0.5, "", False))
    assert result.figures == {"mfcc_hop": 1, "nested.cycles": 2} and result.timings == {"host_ms_per_second": 0.5}


def test_every_field_of_the_real_dataclass_is_taken():
    """Another engineer changes these fields; the stage must follow without a change."""
    sample = {}
    for f in fields(FrontendFigures):
        sample[f.name] = {("a", 1): 3} if "dict" in str(f.type) else 2.5 if "float" in str(f.type) else 7
    flat = flatten(FrontendFigures(**sample))
    for f in fields(FrontendFigures):
        assert any(k == f.name or k.startswith(f"{f.name}.") for k in flat), f.name


def test_figures_read_as_numbers_not_exponents():
    from vigil.release.render import num

    assert num(34976.0) == "34,976" and num(2010.4) == "2,010" and num(1_000_000) == "1,000,000"
    assert num(0.35) == "0.35" and num(0.123456) == "0.1235" and num(999.5) == "999.5"
    assert num(0) == "0" and num(None) == "-" and num(0.00001234) == "1.23e-05"
