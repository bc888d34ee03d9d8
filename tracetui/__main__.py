"""`python -m tracetui`: the same as the `tracetui` command."""
import sys

from tracetui.cli import main

sys.exit(main())
