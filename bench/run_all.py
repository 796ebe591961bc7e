"""Run every benchmark in bench/ in turn and print their figures (`./dev.sh bench`).

Each script also runs alone with its own options (see its --help). Extra arguments given
here are ignored; run a script directly to tune it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ("mrz.py", "match.py", "read.py", "batch.py")


def main() -> int:
    failed = 0
    for name in SCRIPTS:
        script = BENCH / name
        if not script.exists():
            print(f"== {name}: missing, skipped")
            continue
        print(f"== {name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
