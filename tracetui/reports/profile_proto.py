"""A writer for pprof's profile.proto (github.com/google/pprof/proto/profile.proto),
gzip-compressed, as `go tool pprof` reads it. No protobuf dependency: the few
messages a trace profile needs are written with varint and length-delimited helpers.

`Profile` collects sample types, samples (location ids innermost first, values),
locations (address and one line) and functions (name, file) and interns
strings; `encode()` returns the gzip-compressed message.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field

_VARINT, _LEN = 0, 2


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # int64 values are written as their two's-complement uint64
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def key(field_no: int, wire: int) -> bytes:
    return varint(field_no << 3 | wire)


def int_field(field_no: int, n: int) -> bytes:
    """A varint field; zero is the default and is left out, as protobuf encoders do."""
    return key(field_no, _VARINT) + varint(n) if n else b""


def bytes_field(field_no: int, payload: bytes) -> bytes:
    return key(field_no, _LEN) + varint(len(payload)) + payload


def packed_field(field_no: int, values) -> bytes:
    return bytes_field(field_no, b"".join(varint(v) for v in values)) if len(values) else b""


@dataclass
class Profile:
    sample_types: list[tuple[str, str]]
    period_type: tuple[str, str]
    period: int = 1
    duration: int = 0   # duration_nanos
    strings: dict[str, int] = field(default_factory=lambda: {"": 0})
    samples: list[bytes] = field(default_factory=list)
    locations: list[bytes] = field(default_factory=list)
    functions: list[bytes] = field(default_factory=list)

    def string(self, s: str) -> int:
        i = self.strings.get(s)
        if i is None:
            i = self.strings[s] = len(self.strings)
        return i

    def function(self, name: str, filename: str) -> int:
        """A new function id (Function: id 1, name 2, system_name 3, filename 4)."""
        fid = len(self.functions) + 1
        self.functions.append(int_field(1, fid) + int_field(2, self.string(name)) +
                              int_field(3, self.string(name)) + int_field(4, self.string(filename)))
        return fid

    def location(self, address: int, function_id: int, line: int) -> int:
        """A new location id (Location: id 1, address 3, line 4 = Line{function_id 1, line 2})."""
        lid = len(self.locations) + 1
        self.locations.append(int_field(1, lid) + int_field(3, address) +
                              bytes_field(4, int_field(1, function_id) + int_field(2, line)))
        return lid

    def sample(self, location_ids, values) -> None:
        """Sample: location_id 1 (packed, innermost first), value 2 (packed)."""
        self.samples.append(packed_field(1, location_ids) + packed_field(2, values))

    def _value_type(self, field_no: int, vt: tuple[str, str]) -> bytes:
        return bytes_field(field_no, int_field(1, self.string(vt[0])) + int_field(2, self.string(vt[1])))

    def encode(self) -> bytes:
        """The Profile message (sample_type 1, sample 2, location 4, function 5, string_table 6,
        duration_nanos 10, period_type 11, period 12), gzip-compressed."""
        head = b"".join(self._value_type(1, vt) for vt in self.sample_types)
        period = self._value_type(11, self.period_type) + int_field(12, self.period) + int_field(10, self.duration)
        body = [head, *(bytes_field(2, s) for s in self.samples), *(bytes_field(4, x) for x in self.locations),
                *(bytes_field(5, f) for f in self.functions)]
        body += [bytes_field(6, s.encode("utf-8", "surrogateescape")) for s in self.strings]
        body.append(period)
        return gzip.compress(b"".join(body), mtime=0)
