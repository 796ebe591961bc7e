"""Compare two `bench/read.py --out` files image by image: what one change gained and lost.

Timings on a shared machine vary by about 10% between identical runs; exact reads and the
Tesseract call count of each image do not. Prints each image whose exact read changed
(GAIN / LOSS), each whose call count changed, each wrong read the newer run shows clean
(WRONG CLEAN, must never appear), and the total calls of both runs.

    .venv/bin/python bench/read.py --no-peer --jobs 2 --out /tmp/before.json
    (make the change)
    .venv/bin/python bench/read.py --no-peer --jobs 2 --out /tmp/after.json
    .venv/bin/python bench/compare.py /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from read import exact, shared_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    rows = {row["file"]: row for row in shared_rows()}
    before, after = (
        {(r["variant"], r["file"]): r["ours"] for r in json.loads(path.read_text())["records"]}
        for path in (args.before, args.after)
    )
    for key in sorted(before.keys() & after.keys()):
        variant, name = key
        old, new = before[key], after[key]
        was, now = exact(old["lines"], rows[name]), exact(new["lines"], rows[name])
        if was != now:
            print(f"{'GAIN' if now else 'LOSS'} {variant:7} {name}")
        if old.get("calls") != new.get("calls"):
            print(f"CALLS {variant:7} {name}: {old.get('calls')} -> {new.get('calls')}")
        if new.get("clean") and new["lines"] and not now:
            print(f"WRONG CLEAN {variant:7} {name}: {new['lines']}")
    totals = [sum(run[key].get("calls") or 0 for key in run) for run in (before, after)]
    print(f"calls: {totals[0]} -> {totals[1]} ({len(before.keys() & after.keys())} images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
