"""Where a trace comes from (tracetui/source.py), through the command line:
gzip files (detected by content, decompressed with a cap), standard input, and
live capture from a Go program's net/http/pprof, with one-line errors."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest

from tests import goref
from tracetui import source
from tracetui.cli import main
from tracetui.format import TraceError, read

TRACE = next(p for p in goref.committed_traces() if p.parent.name == "go1.27" and p.name == "mixed.trace")
GOCAPTURE = Path(__file__).parent / "gocapture" / "main.go"


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.rstrip("\n")


def stats_json(argv, capsys) -> dict:
    assert main(["stats", "--format", "json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_gzip_detected_by_content_not_name(tmp_path, capsys):
    want = stats_json([str(TRACE)], capsys)
    odd = tmp_path / "trace.bin"  # no .gz suffix
    odd.write_bytes(gzip.compress(TRACE.read_bytes()))
    assert stats_json([str(odd)], capsys) == want
    plain = tmp_path / "plain.gz"  # a .gz name on an uncompressed trace
    plain.write_bytes(TRACE.read_bytes())
    assert stats_json([str(plain)], capsys) == want


def test_multi_member_gzip(tmp_path):
    data = TRACE.read_bytes()
    cut = len(data) // 3
    p = tmp_path / "two.gz"
    p.write_bytes(gzip.compress(data[:cut]) + gzip.compress(data[cut:]))  # like `cat a.gz b.gz`
    assert source.trace_source(str(p)) == data


def test_gzip_bomb_refused_within_bounded_memory(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(source, "GUNZIP_FLOOR", 1 << 20)
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"go 1.26 trace\x00\x00\x00" + bytes(64 << 20), 9))  # 64 MiB in ~64 KiB
    limit = source.gunzip_limit(bomb.stat().st_size)
    assert limit < 4 << 20
    tracemalloc.start()
    try:
        with pytest.raises(TraceError, match="refused as a possible gzip bomb"):
            source.trace_source(str(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * limit  # stopped near the cap, never near the 64 MiB
    assert main(["stats", str(bomb)]) == 1
    assert "gzip bomb" in one_line(capsys.readouterr().err)


def test_truncated_and_broken_gzip(tmp_path, capsys):
    packed = gzip.compress(TRACE.read_bytes())
    cut = tmp_path / "cut.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    assert main(["stats", str(cut)]) == 1
    assert one_line(capsys.readouterr().err) == f"tracetui: {cut}: truncated gzip data"
    bad = tmp_path / "bad.gz"
    bad.write_bytes(packed[:20] + bytes(200) + packed[220:])
    assert main(["stats", str(bad)]) == 1
    assert f"tracetui: {bad}: " in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_stdin(compress, monkeypatch, capsys):
    want = stats_json([str(TRACE)], capsys)
    data = TRACE.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(data) if compress else data)))
    assert stats_json(["-"], capsys) == want


def test_default_command_reads_stdin(monkeypatch, capsys):
    """`tracetui -` (no command) summarizes the trace on stdin, as `tracetui TRACE` does a file."""
    assert main([str(TRACE)]) == 0
    want = capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(TRACE.read_bytes()))))
    assert main(["-"]) == 0
    assert capsys.readouterr().out == want


def test_every_command_reads_gzip(tmp_path, capsysbinary):
    gz = tmp_path / "t.gz"
    gz.write_bytes(gzip.compress(TRACE.read_bytes()))
    for argv in (["events"], ["events", "--wire"], ["pprof", "-o", "-"], ["export", "-o", "-"]):
        assert main([argv[0], str(gz), *argv[1:]]) == 0
        from_gz = capsysbinary.readouterr().out
        assert main([argv[0], str(TRACE), *argv[1:]]) == 0
        assert from_gz == capsysbinary.readouterr().out and from_gz, argv


def test_tui_opens_gzip(tmp_path, monkeypatch, capsys):
    """The TUI takes a path: gzip (or captured) bytes go through a temporary file, titled by the argument."""
    from tracetui import cli
    from tracetui.app import TraceApp
    from tracetui.commands import tui

    monkeypatch.setattr(cli, "interactive", lambda: True)
    monkeypatch.setattr(tui, "interactive", lambda: True)
    monkeypatch.setattr(tui, "keys_from_terminal", lambda: None)  # the test's stdin stays where it is
    opened = []
    monkeypatch.setattr(TraceApp, "run", lambda self: opened.append((self.path.read_bytes(), self.sub_title)))
    gz = tmp_path / "t.trace.gz"
    gz.write_bytes(gzip.compress(TRACE.read_bytes()))
    assert main([str(gz)]) == 0
    assert opened == [(TRACE.read_bytes(), str(gz))]
    not_trace = tmp_path / "notes.gz"
    not_trace.write_bytes(gzip.compress(b"just notes"))
    assert main(["tui", str(not_trace)]) == 1
    assert "gzip-compressed data, not a Go execution trace" in one_line(capsys.readouterr().err)


# Live capture.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused(capsys):
    url = f"http://127.0.0.1:{_free_port()}/debug/pprof/trace?seconds=1"
    assert main(["stats", url]) == 1
    assert one_line(capsys.readouterr().err) == f"tracetui: {url}: cannot connect: connection refused"


@pytest.fixture
def server():
    """A local HTTP server whose behaviour a test sets: `server.handle = fn(handler)`."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            srv.handle(self)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_http_404(server, capsys):
    server.handle = lambda h: h.send_error(404)
    url = f"http://127.0.0.1:{server.server_port}/debug/pprof/trace?seconds=1"
    assert main(["stats", url]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"tracetui: {url}: HTTP 404 Not Found (is net/http/pprof served at this address?)")


def test_http_500_shows_the_server_message(server, capsys):
    def busy(h):  # what net/http/pprof answers while another trace is running
        h.send_response(500)
        h.end_headers()
        h.wfile.write(b"Could not enable tracing: tracing is already enabled\n")
    server.handle = busy
    url = f"http://127.0.0.1:{server.server_port}/debug/pprof/trace"
    assert main(["stats", url]) == 1
    assert one_line(capsys.readouterr().err).endswith("HTTP 500 Internal Server Error: Could not enable tracing: "
                                                       "tracing is already enabled")


def test_timeout(server, capsys, monkeypatch):
    release = threading.Event()

    def silent(h):
        h.send_response(200)
        h.end_headers()
        h.wfile.write(b"go 1.26 trace\x00\x00\x00")
        h.wfile.flush()
        release.wait(10)
    server.handle = silent
    monkeypatch.setattr(source, "CAPTURE_GRACE", 0.3)
    url = f"http://127.0.0.1:{server.server_port}/debug/pprof/trace?seconds=0"
    try:
        assert main(["stats", url]) == 1
    finally:
        release.set()
    assert "timed out after 0.3s" in one_line(capsys.readouterr().err)


def test_served_trace_is_read(server, capsys):
    """A capture is read as a file would be (here the server replays a committed trace)."""
    def replay(h):
        h.send_response(200)
        h.end_headers()
        h.wfile.write(TRACE.read_bytes())
    server.handle = replay
    want = stats_json([str(TRACE)], capsys)
    url = f"http://127.0.0.1:{server.server_port}/debug/pprof/trace?seconds=2"
    assert stats_json([url], capsys) == want


@pytest.fixture(scope="module")
def gocapture():
    """The running tests/cli/gocapture program; yields its base URL."""
    go = goref.require_go()
    src = GOCAPTURE.read_bytes()
    exe = goref.CACHE / "gocapture" / f"{goref.go_version()}-{hashlib.sha256(src).hexdigest()[:16]}"
    if not exe.exists():
        exe.parent.mkdir(parents=True, exist_ok=True)
        tmp = exe.with_suffix(f".{os.getpid()}")
        r = subprocess.run([go, "build", "-o", str(tmp), str(GOCAPTURE)], capture_output=True, text=True,
                           cwd=GOCAPTURE.parent, env={**os.environ, "GOFLAGS": "", "GO111MODULE": "off"}, timeout=600)
        if r.returncode != 0:
            goref.skip_go(f"could not build the capture program: {r.stderr[-300:]}")
        os.replace(tmp, exe)
    proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stdin.close()  # the program exits when its stdin closes
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_live_capture_from_go(gocapture, capsys):
    url = f"{gocapture}/debug/pprof/trace?seconds=1"
    assert main(["stats", "--format", "json", url]) == 0
    out, err = capsys.readouterr()
    s = json.loads(out)
    assert s["events"] > 100 and s["goroutines"] >= 5
    assert one_line(err).startswith(f"tracetui: capturing {url}: ") and err.rstrip().endswith("s/1s")


def test_live_capture_parses_completely(gocapture):
    trace = read(source.trace_source(f"{gocapture}/debug/pprof/trace?seconds=1"))
    assert len(trace) > 100 and trace.error is None


def test_live_capture_404(gocapture, capsys):
    assert main(["stats", f"{gocapture}/debug/pprof/nothing"]) == 1
    assert "HTTP 404" in one_line(capsys.readouterr().err)


def test_live_capture_to_profile_and_export(gocapture, tmp_path, capsys):
    """Every command takes the URL: a sync profile and a Chrome export of a live capture."""
    url = f"{gocapture}/debug/pprof/trace?seconds=1"
    prof, js = tmp_path / "sync.pb.gz", tmp_path / "live.json"
    assert main(["pprof", url, "--kind", "sync", "-o", str(prof)]) == 0
    assert gzip.decompress(prof.read_bytes())[:1] == b"\x0a"
    assert main(["export", url, "-o", str(js)]) == 0
    doc = json.loads(js.read_bytes())
    assert sum(e["ph"] == "X" for e in doc["traceEvents"]) > 100
    err = capsys.readouterr().err
    assert err.count("tracetui: capturing ") == 2
