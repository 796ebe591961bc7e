"""`python -m screening` runs the same CLI as the `screening` command."""

from __future__ import annotations

from screening.cli import main

if __name__ == "__main__":
    main()
