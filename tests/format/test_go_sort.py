"""Our port of Go's slices.SortFunc leaves equal keys in exactly Go's order.

The reader sorts its frontier of batch cursors and each generation's CPU samples
with slices.SortFunc; with equal timestamps, that order decides the event order."""
from __future__ import annotations

import random
import subprocess

import numpy as np
import pytest

from tests import goref
from tracetui.format._core import go_sort_order

GO_PROGRAM = r"""
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type elem struct{ key, id int64 }

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<24), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var xs []elem
		for i, f := range strings.Fields(in.Text()) {
			k, _ := strconv.ParseInt(f, 10, 64)
			xs = append(xs, elem{k, int64(i)})
		}
		slices.SortFunc(xs, func(a, b elem) int { return cmp.Compare(a.key, b.key) })
		for i, x := range xs {
			if i > 0 {
				fmt.Fprint(out, " ")
			}
			fmt.Fprint(out, x.id)
		}
		fmt.Fprintln(out)
	}
}
"""


def cases():
    rnd = random.Random(7)
    out = []
    for n in [0, 1, 2, 5, 12, 13, 20, 49, 50, 51, 64, 100, 300, 1000, 5000]:
        for spread in (2, 5, n or 1, 10 * (n or 1)):
            out.append([rnd.randrange(spread) for _ in range(n)])
        out.append(sorted(rnd.randrange(5) for _ in range(n)))              # increasing, ties
        out.append(sorted((rnd.randrange(5) for _ in range(n)), reverse=True))  # decreasing
        out.append([7] * n)
    return out


def test_matches_go(tmp_path):
    go = goref.require_go()
    (tmp_path / "main.go").write_text(GO_PROGRAM)
    (tmp_path / "go.mod").write_text("module sortcheck\n\ngo 1.22\n")
    exe = tmp_path / "sortcheck"
    subprocess.run([go, "build", "-o", str(exe), "."], cwd=tmp_path, check=True, env=goref._env(),
                   capture_output=True)
    data = cases()
    stdin = "".join(" ".join(map(str, c)) + "\n" for c in data)
    got = subprocess.run([str(exe)], input=stdin, capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(got) == len(data)
    for keys, line in zip(data, got):
        want = [int(x) for x in line.split()]
        assert go_sort_order(np.array(keys, dtype=np.int64)).tolist() == want, keys[:20]


@pytest.mark.parametrize("n", [0, 1, 13, 1000])
def test_sorts(n):
    keys = np.random.default_rng(n).integers(0, 10, n)
    order = go_sort_order(keys)
    assert sorted(order.tolist()) == list(range(n))
    assert (np.diff(keys[order]) >= 0).all()
