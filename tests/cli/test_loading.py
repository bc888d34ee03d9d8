"""The one loader (tracetui.loading) the CLI and the TUI share: a broken trace is decoded
once, the warning leads with the share of the file that could not be used, and a trace
with nothing usable is an error (CLI: one line, exit 1; TUI: the error screen)."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy as np
import pytest

from tests.tui.pilot import until_loaded
from tracetui import loading
from tracetui.cli import main
from tracetui.format import TraceError, reader
from tracetui.format import spec as S
from tracetui.format.salvage import read_salvaged

REPO = Path(__file__).parent.parent.parent
MULTIGEN = REPO / "tests" / "format" / "data" / "multigen"
ONE_GENERATION = REPO / "traces" / "go1.27" / "gc.trace"   # trace.Start: a single generation


@pytest.fixture
def decodes(monkeypatch):
    """How many times the compiled decoder ran."""
    count = [0]
    real = reader.Decoder

    def counting(*args):
        count[0] += 1
        return real(*args)

    monkeypatch.setattr(reader, "Decoder", counting)
    return count


@pytest.mark.parametrize("as_bytes", [False, True], ids=["file", "bytes"])
def test_a_broken_trace_is_decoded_once(truncated, decodes, as_bytes):
    source = truncated.read_bytes() if as_bytes else truncated
    model, report = loading.load_model(source)
    assert decodes[0] == 1
    want, want_report = read_salvaged(truncated)      # the salvage cmd/trace's way, for comparison
    assert report == want_report
    assert np.array_equal(model.trace.time, want.time) and np.array_equal(model.trace.type, want.type)


def test_the_cli_and_the_tui_load_through_it(truncated, decodes, capsys):
    from tracetui import app

    assert main(["stats", str(truncated)]) == 0
    assert decodes[0] == 1
    _, rows, report = app.load_model(truncated)
    assert decodes[0] == 2 and report is not None and len(rows.order) > 0
    capsys.readouterr()


def test_strict_raises_the_first_error(truncated, decodes):
    with pytest.raises(TraceError, match="failed to read full batch"):
        loading.load_trace(truncated, strict=True)
    assert decodes[0] == 1


def test_warning_leads_with_the_share_of_the_file_not_used(tmp_path, capsys):
    data = (MULTIGEN / "go1.27.trace").read_bytes()
    cut = tmp_path / "cut.trace"
    cut.write_bytes(data[: int(len(data) * 0.75)])
    trace, report = read_salvaged(cut)
    # computed independently: the salvaged events end with the last complete generation
    unused = len(data[: int(len(data) * 0.75)]) - trace.generations[-1]["end"]
    assert report.incomplete_bytes == unused
    assert main(["stats", str(cut)]) == 0
    err = capsys.readouterr().err
    m = re.match(r"tracetui: warning: (\d+(?:\.\d)?)% of the file could not be used \(", err)
    assert m, err
    assert abs(float(m.group(1)) - 100 * unused / cut.stat().st_size) <= 0.5
    assert "; go tool trace: Lost " in err and err.count("\n") == 1


@pytest.mark.parametrize("fraction", [0.75, 0.25, 100])
def test_nothing_usable_is_one_line_and_exit_1(tmp_path, capsys, fraction):
    """A single-generation trace cut anywhere leaves only Sync markers: go tool trace "salvages"
    an empty trace and says Lost 0.00%; we say there is nothing usable."""
    data = ONE_GENERATION.read_bytes()
    cut = tmp_path / "cut.trace"
    cut.write_bytes(data[: fraction if fraction > 1 else int(len(data) * fraction)])
    trace, report = read_salvaged(cut)
    assert report is not None and not np.any(trace.type != S.EvSyncPublic)  # what Go keeps: nothing
    for argv in (["stats"], ["regions"], ["export", "-o", str(tmp_path / "x.json")], []):
        assert main([*argv, str(cut)]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("tracetui: nothing usable: no generation is complete before the error: ")


def test_nothing_usable_shows_the_error_screen(tmp_path):
    from tracetui.app import TraceApp
    from tracetui.widgets.screens import ErrorScreen

    cut = tmp_path / "cut.trace"
    cut.write_bytes(ONE_GENERATION.read_bytes()[:200_000])

    async def run():
        app = TraceApp(cut)
        async with app.run_test(size=(80, 24)) as pilot:
            await until_loaded(app, pilot, 5)
            assert isinstance(app.screen, ErrorScreen)
            assert app.screen.message.startswith("nothing usable: ")
            assert app.rows is None

    asyncio.run(run())
