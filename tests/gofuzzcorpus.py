"""Go's fuzz corpus files (`go test fuzz v1`), as used by internal/trace's FuzzReader.

Each file is the line "go test fuzz v1" and then one Go expression per fuzz argument;
FuzzReader takes one `[]byte`. `parse_corpus_file(path) -> list of values` reads
`[]byte("...")` and `[]byte(`...`)` (and `string(...)`), with Go's escapes:
\\a \\b \\f \\n \\r \\t \\v \\\\ \\' \\" \\xHH \\OOO \\uHHHH \\UHHHHHHHH, other characters as UTF-8.
`fuzz_reader_corpus() -> list[(name, bytes)]` lists $GOROOT's FuzzReader corpus.
"""
from __future__ import annotations

import re
from pathlib import Path

from tests import goref

_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def go_unquote(lit: str) -> bytes:
    """The bytes of a Go string literal (with its quotes)."""
    if lit.startswith("`"):
        return lit[1:-1].replace("\r", "").encode()
    if not (lit.startswith('"') and lit.endswith('"')):
        raise ValueError(f"not a Go string literal: {lit[:40]!r}")
    s = lit[1:-1]
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = s[i + 1]
        if e in _SIMPLE:
            out.append(_SIMPLE[e])
            i += 2
        elif e == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif e in "01234567":
            out.append(int(s[i + 1:i + 4], 8))
            i += 4
        elif e in "uU":
            n = 4 if e == "u" else 8
            out += chr(int(s[i + 2:i + 2 + n], 16)).encode()
            i += 2 + n
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


_VALUE = re.compile(r'^\s*(\[\]byte|string)\((".*"|`.*`)\)\s*$', re.S)


def parse_corpus_file(path: str | Path) -> list[bytes]:
    text = Path(path).read_text(encoding="utf-8")
    header, _, rest = text.partition("\n")
    if header.strip() != "go test fuzz v1":
        raise ValueError(f"{path}: not a Go fuzz corpus file")
    values = []
    for line in rest.splitlines():
        if not line.strip():
            continue
        m = _VALUE.match(line)
        if not m:
            raise ValueError(f"{path}: unsupported value {line[:60]!r}")
        values.append(go_unquote(m.group(2)))
    return values


def fuzz_reader_corpus() -> list[tuple[str, bytes]]:
    td = goref.go_testdata_dir()
    if td is None:
        return []
    return [(p.name, parse_corpus_file(p)[0]) for p in sorted((td / "fuzz" / "FuzzReader").iterdir())]
