"""The one duration formatter and parser (tracetui.units), and that every layer uses them."""
from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracetui.units import DURATION_UNITS, UNITS_HELP, format_duration, format_time, parse_duration

DURATIONS = st.integers(min_value=0, max_value=10**14)  # up to about 28 hours


@given(DURATIONS)
def test_format_parse_round_trip_within_half_a_last_digit(ns):
    back = parse_duration(format_duration(ns))
    # 3 significant digits: the error is at most half of 1% of the value (exact below 1µs)
    assert abs(back - ns) <= ns * 0.005 + 1e-9 * ns + (0 if ns < 1000 else 1)
    if ns < 1000:
        assert back == ns


@given(st.integers(min_value=0, max_value=10**14), st.integers(min_value=3, max_value=6))
def test_more_digits_are_more_precise(ns, digits):
    back = parse_duration(format_duration(ns, digits))
    assert abs(back - ns) <= ns * 0.5 * 10 ** (1 - digits) + 1


@given(DURATIONS, DURATIONS)
def test_monotonic(a, b):
    a, b = min(a, b), max(a, b)
    assert parse_duration(format_duration(a)) <= parse_duration(format_duration(b))


@given(DURATIONS)
def test_three_significant_digits_and_a_mantissa_below_1000(ns):
    text = format_duration(ns)
    unit = text.lstrip("0123456789.")
    number = text[: len(text) - len(unit)]
    assert unit in ("ns", "µs", "ms", "s")
    if unit == "ns":
        assert number == str(ns)
    elif unit != "s" or float(number) < 1000:
        assert float(number) < 1000
        digits = len(number.replace(".", "").lstrip("0"))
        div = {"µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000}[unit]
        # 3 significant digits, fewer only when the value is exact (1.5s is exactly 1.5 s)
        assert digits == 3 or (digits < 3 and parse_duration(text) == ns), text
        if digits == 3 and "." in number and number.endswith("0"):
            assert ns % (div // 10 ** (len(number.split(".")[1]) - 1)) != 0, text  # that zero is significant


@pytest.mark.parametrize("ns, text", [
    (0, "0ns"), (999, "999ns"), (1_000, "1µs"), (1_500_000_000, "1.5s"), (1_500_400_000, "1.50s"),
    (12_345_678, "12.3ms"), (2_200_000, "2.2ms"), (2_200_400, "2.20ms"), (1_000_000_000, "1s"),
    (999_499, "999µs"), (999_950, "1.00ms"), (999_999, "1.00ms"), (949_999_999, "950ms"), (999_499_999, "999ms"),
    (999_999_999, "1.00s"), (99_950_000, "100ms"), (99_960, "100µs"), (9_996, "10.0µs"), (45_600, "45.6µs"), (-1_500, "-1.5µs"), (-1_501, "-1.50µs"), (1_234_000_000_000, "1234s"),
])
def test_unit_boundaries(ns, text):
    assert format_duration(ns) == text


@given(st.integers(min_value=0, max_value=10**13), st.sampled_from([1, 10, 1_000, 1_000_000]))
def test_time_has_the_digits_of_its_resolution(ns, resolution):
    back = parse_duration(format_time(ns, resolution))
    assert abs(back - ns) <= max(resolution, 1) / 2 + 1e-6 * ns


@pytest.mark.parametrize("text, ns", [
    ("1.5s", 1_500_000_000), ("250ms", 250_000_000), ("80us", 80_000), ("80µs", 80_000), ("80μs", 80_000),
    ("100ns", 100), ("1m30s", 90_000_000_000), ("2h", 7_200_000_000_000), ("0", 0), (" 5 ms ", 5_000_000),
    ("+1.5s", 1_500_000_000), ("-3us", -3_000), (".5s", 500_000_000),
])
def test_parse(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["5", "1.5", "", "s", "ms5", "5 sec", "1.5sx", "1e3ms", "--1s"])
def test_bare_numbers_and_junk_are_errors(text):
    with pytest.raises(ValueError, match="not a duration.*" + UNITS_HELP.replace("(", r"\(").replace(")", r"\)")):
        parse_duration(text)


def test_every_listed_unit_parses():
    for unit in DURATION_UNITS:
        assert parse_duration(f"2{unit}") == 2 * DURATION_UNITS[unit]


def test_every_layer_uses_the_one_rule():
    """The old names elsewhere give the same text and the same numbers."""
    from tracetui.commands.export import duration
    from tracetui.reports.check import parse_duration as check_parse
    from tracetui.reports.output import cell, human_ns
    from tracetui.widgets.jump import parse_time
    from tracetui.widgets.timescale import fmt_dur, fmt_time

    for ns in (0, 999, 999_950, 1_500_000_000, 12_345_678):
        assert human_ns(ns) == cell(ns, "ns") == fmt_dur(ns) == format_duration(ns)
        assert fmt_time(ns, 1000) == format_time(ns, 1000)
    for text in ("1.5s", "250ms", "80us", "1h"):
        assert check_parse(text) == duration(text) == parse_time(text) == parse_duration(text)
    # a bare number: an error in check and export, no time in the palette
    with pytest.raises(ValueError):
        check_parse("5")
    with pytest.raises(argparse.ArgumentTypeError):
        duration("5")
    assert parse_time("5") is None
