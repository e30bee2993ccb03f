"""`python build.py [command]`: a thin door into heliograph.cli (plain `python build.py` builds)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "site_src"))

from heliograph.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
