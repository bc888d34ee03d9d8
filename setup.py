"""Builds the compiled parts of tracetui with Cython (pip install builds them):
the decoder core (tracetui/format/_core), the model's passes (tracetui/model) and the
timeline's interval split (tracetui/widgets/_intervals)."""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup


def extension(name: str) -> Extension:
    return Extension(
        name,
        [name.replace(".", "/") + ".pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O2"],
        language="c++",
    )


extensions = [extension(n) for n in ("tracetui.format._core", "tracetui.model._summary", "tracetui.model._lanes",
                                          "tracetui.widgets._intervals")]
extensions.append(extension("tracetui.format._v1"))  # pre-1.22 traces

setup(ext_modules=cythonize(extensions, language_level=3, compiler_directives={
    "boundscheck": False, "wraparound": False, "cdivision": True, "initializedcheck": False,
}))
