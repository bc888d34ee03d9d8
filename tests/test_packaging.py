"""What a release ships, checked on the installed package: the stubs of the compiled
modules agree with the built modules, `tracetui --version` is the distribution's
version, and TRACETUI_REQUIRE_GO=1 turns a Go skip into a failure."""
from __future__ import annotations

import ast
import importlib
import importlib.metadata
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import tracetui
from tracetui.cli import main


def compiled_modules() -> list[str]:
    """The compiled modules setup.py builds (its MODULES: the one list of them)."""
    tree = ast.parse((Path(__file__).resolve().parents[1] / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MODULES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no MODULES")


COMPILED = compiled_modules()


def public(names) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def stub_names(body: list[ast.stmt]) -> set[str]:
    """Names a stub's module or class body declares."""
    out = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
        elif isinstance(node, ast.Assign):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


@pytest.mark.parametrize("name", COMPILED)
def test_stub_matches_compiled_module(name):
    mod = importlib.import_module(name)
    assert not mod.__file__.endswith(".py"), f"{name} is not the compiled module: {mod.__file__}"
    stub = Path(mod.__file__).parent / (name.rsplit(".", 1)[1] + ".pyi")
    assert stub.exists(), f"no stub beside {mod.__file__}"
    tree = ast.parse(stub.read_text())
    declared = public(stub_names(tree.body))
    built = public(n for n in dir(mod) if not isinstance(getattr(mod, n), types.ModuleType))
    assert declared - built == set(), f"{stub.name} declares names the module lacks"
    assert built - declared == set(), f"{name} has public names {stub.name} does not declare"
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")):
        members = public(stub_names(cls.body))
        real = public(vars(getattr(mod, cls.name)))
        assert members - real == set(), f"{stub.name}: {cls.name} declares members the class lacks"
        assert real - members == set(), f"{name}.{cls.name} has members {stub.name} does not declare"


def test_py_typed_is_shipped():
    assert (Path(tracetui.__file__).parent / "py.typed").exists()


def test_version_is_the_distributions(capsys):
    assert tracetui.__version__ == importlib.metadata.version("tracetui")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"tracetui {tracetui.__version__}"


SKIPPING_TEST = """
from tests import goref

def test_needs_go():
    goref.skip_go("pretend Go is missing")
"""


@pytest.mark.parametrize("require, outcome", [("0", "1 skipped"), ("1", "1 failed")])
def test_require_go_turns_go_skips_into_failures(tmp_path, require, outcome):
    (tmp_path / "test_skip.py").write_text(SKIPPING_TEST)
    env = dict(os.environ, TRACETUI_REQUIRE_GO=require,
               PYTHONPATH=str(Path(__file__).resolve().parent.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                        str(tmp_path / "test_skip.py")], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert outcome in r.stdout, r.stdout[-2000:]
    assert (r.returncode == 0) == (require == "0"), r.stdout[-2000:]
    if require == "1":
        assert "TRACETUI_REQUIRE_GO=1, but: pretend Go is missing" in r.stdout
