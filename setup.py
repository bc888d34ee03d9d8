"""Builds the compiled parts of tracetui with Cython (pip install builds them):
the decoder core (tracetui/format/_core), the model's passes (tracetui/model) and the
timeline's interval split (tracetui/widgets/_intervals) and the protobuf byte loop of the
exports (tracetui/exports/_protowire). Metadata lives in pyproject.toml.

`TRACETUI_CYTHON_DEBUG=1` makes a checked build for tests: every buffer index is
bounds-checked (boundscheck, initializedcheck), so an index past either end raises
IndexError instead of reading garbage. wraparound stays off as in the release build,
so a negative index is out of bounds too (with wraparound on, -1 would quietly read
the last element where the release build reads before the buffer). Its generated C++
goes to build/cython-debug/, never over the release build's files.
"""
import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

MODULES = ("tracetui.format._core", "tracetui.format._v1", "tracetui.format._text", "tracetui.model._summary",
           "tracetui.model._lanes", "tracetui.widgets._intervals", "tracetui.exports._protowire")
DEBUG = os.environ.get("TRACETUI_CYTHON_DEBUG") == "1"


def extension(name: str) -> Extension:
    return Extension(
        name,
        [name.replace(".", "/") + ".pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O1" if DEBUG else "-O2"],
        extra_link_args=[] if DEBUG else ["-Wl,-S"],  # no debug info in a release build's .so
        language="c++",
    )


directives = {"boundscheck": DEBUG, "wraparound": False, "cdivision": True, "initializedcheck": DEBUG}
jobs = os.cpu_count() or 1  # the modules are translated and compiled side by side
setup(ext_modules=cythonize([extension(n) for n in MODULES], language_level=3, compiler_directives=directives,
                            build_dir="build/cython-debug" if DEBUG else None, nthreads=jobs),
      options={"build_ext": {"parallel": jobs}})
