"""Every command is documented: `--help` works with an example, and README.md mentions it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, run_cli

_LIST_COMMANDS = """
import json, warnings
warnings.simplefilter("ignore")
import typer.main
from screening.cli import commands
from screening.cli.app import app
names = []
for name, command in typer.main.get_command(app).commands.items():
    sub = getattr(command, "commands", None)
    names += [f"{name} {s}" for s in sub] if sub else [name]
print(json.dumps(sorted(names)))
"""


def _commands() -> list[str]:
    """The registered commands, asked of the real app in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _LIST_COMMANDS], capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


def test_every_command_has_help_with_an_example() -> None:
    """`screening CMD --help` exits 0 and shows an Example line, for every command."""
    commands = _commands()
    assert {"mrz", "read", "screen", "batch", "desk", "match", "report"} <= set(commands)
    for command in commands:
        result = run_cli(*command.split(), "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Example" in result.stdout, command


def test_every_command_is_in_the_readme() -> None:
    """README.md shows each command at least once."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if f"screening {c}" not in readme]
    assert not missing, missing
