"""The HTML of every patient page state (tests/page_states.py), written to a directory to
compare two versions of the templates:

    python benchmarks/page_html.py DIR
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.exit(subprocess.call(
        [sys.executable, "-m", "pytest", "tests/test_page_markup.py", "-q", "-p",
         "no:cacheprovider"], cwd=ROOT, env={**os.environ, "PAGE_HTML_DIR": str(out)}))
