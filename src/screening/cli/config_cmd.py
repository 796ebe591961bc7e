"""`screening config show`: the effective configuration and where each value came from.

Typer only: reads `screening.config.effective_config()` and prints it as a table or JSON.
Values are printed as plain `Text`, never as markup, and control characters are replaced.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path  # noqa: TC003 - Typer reads annotations at run time
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from screening.cli.app import ExitCode, app, out_console
from screening.config import SETTINGS, configured_policy, effective_config

__all__ = ["ShowFormat", "config_app", "plain_text"]

config_app = typer.Typer(
    name="config",
    help="Inspect the configuration (file, SCREENING_* variables, flags).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


class ShowFormat(enum.StrEnum):
    """Output formats of `config show`."""

    TABLE = "table"
    JSON = "json"


def plain_text(value: object) -> Text:
    """Untrusted text for the terminal: no markup, control characters and ESC replaced."""
    raw = str(value)
    cleaned = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in raw)
    return Text(cleaned)


def _shown(value: object) -> str:
    if value is None:
        return "(packaged default)"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if value == "":
        return "(not set)"
    return str(value)


@config_app.command("show")
def show(
    output: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ShowFormat.TABLE,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Read this configuration file instead of the XDG one."),
    ] = None,
) -> ExitCode:
    """Print every setting's effective value and its origin (default, file, env or flag).

    The risk policy file is loaded too, so a broken one is reported here (exit 6).

    Precedence, lowest first: packaged default, the TOML file
    ($XDG_CONFIG_HOME/screening/config.toml or ~/.config/screening/config.toml, or
    SCREENING_CONFIG), SCREENING_<KEY> environment variables, command-line flags.

    Example: screening config show --format json
    """
    effective = effective_config({}, path=config)
    policy = configured_policy(effective)  # a broken policy file exits 6 here, not at the desk
    if output is ShowFormat.JSON:
        document = {
            "schema_version": "1",
            "config_file": str(effective.file) if effective.file else None,
            "policy": {"source": policy.source, "overrides": list(policy.overrides)},
            "settings": {
                key: {"value": value, "origin": str(origin), "source": source, "env": setting.env}
                for setting, (key, _, origin, source), value in zip(
                    SETTINGS, effective.rows(), effective.as_json().values(), strict=True
                )
            },
        }
        out_console.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return ExitCode.CLEAR
    table = Table(title="Effective configuration", title_justify="left")
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("origin", no_wrap=True)
    table.add_column("source", overflow="fold")
    for key, value, origin, source in effective.rows():
        table.add_row(
            plain_text(key), plain_text(_shown(value)), plain_text(origin), plain_text(source)
        )
    out_console.print(table)
    file_line = f"config file: {effective.file}" if effective.file else "config file: (none)"
    out_console.print(plain_text(file_line))
    changed = f", {len(policy.overrides)} override(s)" if policy.overrides else ""
    out_console.print(plain_text(f"risk policy: {policy.source} (valid{changed})"))
    return ExitCode.CLEAR
