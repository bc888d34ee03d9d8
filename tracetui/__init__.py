"""tracetui: Go execution traces in the terminal.

`__version__` is the installed distribution's version; pyproject.toml is its one home.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tracetui")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
