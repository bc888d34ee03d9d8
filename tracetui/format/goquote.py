"""Go's string quoting, as the raw trace formats use it.

Owns `go_quote` (Go's `strconv.Quote`, which `raw.Event.String()` uses for the
`data=` line and hence `go tool trace -d=wire`) and `go_unquote` (Go's
`strconv.Unquote`, which the raw text reader and the test-file expectation use),
plus `go_is_space` (Go's `unicode.IsSpace`). Strings are bytes here, as in Go:
they need not be valid UTF-8.

Printability follows Go's `unicode.IsPrint`: Python's `str.isprintable` is the
same predicate, but Python 3.11 knows Unicode 14 while Go 1.27 knows Unicode 17,
so the code points Go 1.27 treats as printable and Python 3.11 does not are
listed in `_GO_EXTRA_PRINT` (computed from Go 1.27.3; no code point is printable
for Python 3.11 and not for Go).
"""
from __future__ import annotations

from bisect import bisect_right

__all__ = ["go_quote", "go_unquote", "go_is_space", "go_is_print"]

# Non-ASCII code points printable for Go 1.27 (Unicode 17) but unassigned in Python 3.11 (Unicode 14).
_GO_EXTRA_PRINT = (
    (0x88F, 0x88F), (0x897, 0x897), (0xC5C, 0xC5C), (0xCDC, 0xCDC), (0xCF3, 0xCF3), (0xECE, 0xECE),
    (0x1ACF, 0x1ADD), (0x1AE0, 0x1AEB), (0x1B4E, 0x1B4F), (0x1B7F, 0x1B7F), (0x1C89, 0x1C8A), (0x20C1, 0x20C1),
    (0x2427, 0x2429), (0x2B96, 0x2B96), (0x2FFC, 0x2FFF), (0x31E4, 0x31E5), (0x31EF, 0x31EF), (0xA7CB, 0xA7CF),
    (0xA7D2, 0xA7D2), (0xA7D4, 0xA7D4), (0xA7DA, 0xA7DC), (0xA7F1, 0xA7F1), (0xFBC3, 0xFBD2), (0xFD90, 0xFD91),
    (0xFDC8, 0xFDCE), (0x105C0, 0x105F3), (0x10940, 0x10959), (0x10D40, 0x10D65), (0x10D69, 0x10D85),
    (0x10D8E, 0x10D8F), (0x10EC2, 0x10EC7), (0x10ED0, 0x10ED8), (0x10EFA, 0x10EFF), (0x1123F, 0x11241),
    (0x11380, 0x11389), (0x1138B, 0x1138B), (0x1138E, 0x1138E), (0x11390, 0x113B5), (0x113B7, 0x113C0),
    (0x113C2, 0x113C2), (0x113C5, 0x113C5), (0x113C7, 0x113CA), (0x113CC, 0x113D5), (0x113D7, 0x113D8),
    (0x113E1, 0x113E2), (0x116D0, 0x116E3), (0x11B00, 0x11B09), (0x11B60, 0x11B67), (0x11BC0, 0x11BE1),
    (0x11BF0, 0x11BF9), (0x11DB0, 0x11DDB), (0x11DE0, 0x11DE9), (0x11F00, 0x11F10), (0x11F12, 0x11F3A),
    (0x11F3E, 0x11F5A), (0x1342F, 0x1342F), (0x13440, 0x13455), (0x13460, 0x143FA), (0x16100, 0x16139),
    (0x16D40, 0x16D79), (0x16EA0, 0x16EB8), (0x16EBB, 0x16ED3), (0x16FF2, 0x16FF6), (0x187F8, 0x187FF),
    (0x18CFF, 0x18CFF), (0x18D09, 0x18D1E), (0x18D80, 0x18DF2), (0x1B132, 0x1B132), (0x1B155, 0x1B155),
    (0x1CC00, 0x1CCFC), (0x1CD00, 0x1CEB3), (0x1CEBA, 0x1CED0), (0x1CEE0, 0x1CEF0), (0x1D2C0, 0x1D2D3),
    (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F), (0x1E4D0, 0x1E4F9), (0x1E5D0, 0x1E5FA),
    (0x1E5FF, 0x1E5FF), (0x1E6C0, 0x1E6DE), (0x1E6E0, 0x1E6F5), (0x1E6FE, 0x1E6FF), (0x1F6D8, 0x1F6D8),
    (0x1F6DC, 0x1F6DC), (0x1F774, 0x1F77F), (0x1F7D9, 0x1F7D9), (0x1F8B2, 0x1F8BB), (0x1F8C0, 0x1F8C1),
    (0x1F8D0, 0x1F8D8), (0x1FA54, 0x1FA57), (0x1FA75, 0x1FA77), (0x1FA87, 0x1FA8A), (0x1FA8E, 0x1FA8F),
    (0x1FAAD, 0x1FAAF), (0x1FABB, 0x1FABF), (0x1FAC6, 0x1FAC6), (0x1FAC8, 0x1FAC8), (0x1FACD, 0x1FACF),
    (0x1FADA, 0x1FADC), (0x1FADF, 0x1FADF), (0x1FAE8, 0x1FAEA), (0x1FAEF, 0x1FAEF), (0x1FAF7, 0x1FAF8),
    (0x1FBCB, 0x1FBEF), (0x1FBFA, 0x1FBFA), (0x2B739, 0x2B73F), (0x2CEA2, 0x2CEAD), (0x2EBF0, 0x2EE5D),
    (0x31350, 0x33479),
)
_EXTRA_LO = [lo for lo, _ in _GO_EXTRA_PRINT]

# unicode.IsSpace: '\t', '\n', '\v', '\f', '\r', ' ', U+0085, U+00A0 and the White_Space property.
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                      "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

_SIMPLE_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v",
                   0x5C: "\\\\", 0x22: '\\"'}
_UNESCAPES = {"a": 0x07, "b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B, "\\": 0x5C}
_HEX = "0123456789abcdefABCDEF"


def go_is_space(ch: str) -> bool:
    """Go's unicode.IsSpace for one character."""
    return ch in _GO_SPACE


def go_is_print(cp: int) -> bool:
    """Go's unicode.IsPrint for one code point."""
    if chr(cp).isprintable():
        return True
    if cp < 0x80:
        return False
    i = bisect_right(_EXTRA_LO, cp) - 1
    return i >= 0 and cp <= _GO_EXTRA_PRINT[i][1]


def go_quote(data: bytes) -> str:
    """strconv.Quote(string(data)): a double-quoted Go string literal."""
    # Invalid UTF-8 bytes come out one at a time as lone surrogates U+DC80..U+DCFF, which
    # is how Go walks them too (utf8.DecodeRune yields RuneError of width 1 for each).
    text = data.decode("utf-8", "surrogateescape")
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    out = ['"']
    for ch in text:
        cp = ord(ch)
        esc = _SIMPLE_ESCAPES.get(cp)
        if esc is not None:
            out.append(esc)
        elif 0xDC80 <= cp <= 0xDCFF:  # an invalid byte
            out.append(f"\\x{cp - 0xDC00:02x}")
        elif go_is_print(cp):
            out.append(ch)
        elif cp < 0x20 or cp == 0x7F:
            out.append(f"\\x{cp:02x}")
        elif cp < 0x10000:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    out.append('"')
    return "".join(out)


def go_unquote(s: str) -> bytes:
    """strconv.Unquote(s) as bytes; raises ValueError("invalid syntax") like Go's ErrSyntax.

    Accepts "double-quoted", `back-quoted` and 'c' single-character literals. Invalid
    UTF-8 inside a quoted literal (lone surrogates in `s`) becomes U+FFFD, as in Go.
    """
    if len(s) < 2:
        raise ValueError("invalid syntax")
    quote = s[0]
    if quote == "`":
        end = s.find("`", 1)
        if end != len(s) - 1:
            raise ValueError("invalid syntax")
        # Raw strings are not checked for UTF-8; carriage returns are dropped.
        return s[1:end].replace("\r", "").encode("utf-8", "surrogateescape")
    if quote not in "\"'" or s[-1] != quote:
        raise ValueError("invalid syntax")
    body = s[1:-1]
    out = bytearray()
    i, n = 0, len(body)
    count = 0
    while i < n:
        c = body[i]
        if c == quote or c == "\n":
            raise ValueError("invalid syntax")
        count += 1
        if c != "\\":
            cp = ord(c)
            if 0xD800 <= cp <= 0xDFFF:  # an invalid UTF-8 byte in the input
                out += "\ufffd".encode()
            else:
                out += c.encode()
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError("invalid syntax")
        e = body[i + 1]
        i += 2
        if e in _UNESCAPES:
            out.append(_UNESCAPES[e])
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i:i + width]
            if len(digits) < width or any(d not in _HEX for d in digits):
                raise ValueError("invalid syntax")
            i += width
            v = int(digits, 16)
            if e == "x":
                out.append(v)  # a single byte, possibly not UTF-8
            else:
                if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                    raise ValueError("invalid syntax")
                out += chr(v).encode()
        elif e in "01234567":
            digits = body[i - 1:i + 2]
            if len(digits) < 3 or any(d not in "01234567" for d in digits):
                raise ValueError("invalid syntax")
            i += 2
            v = int(digits, 8)
            if v > 255:
                raise ValueError("invalid syntax")
            out.append(v)
        elif e in "'\"":
            if e != quote:
                raise ValueError("invalid syntax")
            out.append(ord(e))
        else:
            raise ValueError("invalid syntax")
    if quote == "'" and count != 1:
        raise ValueError("invalid syntax")
    return bytes(out)
