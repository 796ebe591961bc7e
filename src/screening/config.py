"""Configuration: defaults, a TOML file, SCREENING_* environment variables and flags, in that order.

`effective_config()` resolves every setting and records where each value came from (default,
file, env or flag) so that `screening config show` can print it. The file is
`$XDG_CONFIG_HOME/screening/config.toml` (or `~/.config/screening/config.toml`), or the path in
SCREENING_CONFIG, or the `path` argument. Each setting has a type, a range and an environment
variable named `SCREENING_<KEY>` (lists are separated by the OS path separator, ':' on Linux);
relative paths in the file are relative to the file. A bad value raises `ConfigError` naming
the file, variable or flag - never a silent default. Reading the clock or the network: never.
"""

from __future__ import annotations

import difflib
import enum
import os
import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

    from screening.risk import Policy

__all__ = [
    "ENV_PREFIX",
    "SETTINGS",
    "Config",
    "Origin",
    "Setting",
    "config_path",
    "configured_policy",
    "effective_config",
]

ENV_PREFIX = "SCREENING_"


class Origin(enum.StrEnum):
    """Where a value came from, lowest precedence first."""

    DEFAULT = "default"
    FILE = "file"
    ENV = "env"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Setting:
    """One configuration key: its type, its documented default and its help line."""

    key: str
    kind: str  # str | int | float | path | paths
    default: object
    help: str
    low: float | None = None
    high: float | None = None

    @property
    def env(self) -> str:
        """The environment variable that sets it."""
        return ENV_PREFIX + self.key.upper()


_MB = 1024 * 1024

SETTINGS: tuple[Setting, ...] = (
    Setting("checkpoint", "str", "", "Checkpoint name recorded in the audit log."),
    Setting("officer_id", "str", "", "Officer id recorded in the audit log."),
    Setting("watchlists", "paths", (), "Watchlist files (flagged recruiters and agencies)."),
    Setting("allowlists", "paths", (), "Allowlist files (licensed agencies)."),
    Setting("policy", "path", None, "Risk policy TOML; empty: the packaged default."),
    Setting("max_list_age_days", "float", 365.0, "A list older than this is stale.", 0.001, 36500),
    Setting("expiry_window_days", "int", 180, "Flag documents expiring within.", 0, 3650),
    Setting("possible_threshold", "float", 80.0, "Name score for a possible match.", 0, 100),
    Setting("strong_threshold", "float", 90.0, "Name score for a strong match.", 0, 100),
    Setting("audit_db", "path", None, "Audit log SQLite file (0600)."),
    Setting("audit_key", "path", None, "HMAC key file for document tokens (0600)."),
    Setting("ocr_timeout_s", "float", 30.0, "Time limit for one OCR call.", 0.1, 3600),
    Setting("document_timeout_s", "float", 120.0, "Time limit for one document.", 0.1, 86400),
    Setting("max_pixels", "int", 40_000_000, "Largest image decoded (pixels).", 1, 10**10),
    Setting("max_pages", "int", 10, "PDF/TIFF pages read per file.", 1, 10_000),
    Setting("max_bytes", "int", 50 * _MB, "Largest input file read (bytes).", 1, 2**40),
    Setting("clear_after_s", "float", 60.0, "Desk: clear personal data after.", 1, 86400),
    Setting("max_text_chars", "int", 512 * 1024, "MRZ text per stdin/file (chars).", 100, 2**30),
    Setting("max_text_lines", "int", 5000, "MRZ text per stdin/file (lines).", 2, 10**7),
    Setting("max_field_bytes", "int", 65536, "Largest watchlist field (bytes).", 64, 2**30),
)
_BY_KEY = types.MappingProxyType({s.key: s for s in SETTINGS})


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration; `origins[key]` and `sources[key]` say where each came from."""

    checkpoint: str
    officer_id: str
    watchlists: tuple[Path, ...]
    allowlists: tuple[Path, ...]
    policy: Path | None
    max_list_age_days: float
    expiry_window_days: int
    possible_threshold: float
    strong_threshold: float
    audit_db: Path
    audit_key: Path
    ocr_timeout_s: float
    document_timeout_s: float
    max_pixels: int
    max_pages: int
    max_bytes: int
    clear_after_s: float
    max_text_chars: int
    max_text_lines: int
    max_field_bytes: int
    origins: Mapping[str, Origin]
    sources: Mapping[str, str]  # file path, variable name or flag; "" for defaults
    file: Path | None  # the config file read, None when there was none

    def origin(self, key: str) -> Origin:
        """Where the value of `key` came from."""
        return self.origins[key]

    def rows(self) -> tuple[tuple[str, object, Origin, str], ...]:
        """(key, value, origin, source) for every setting, in documentation order."""
        return tuple(
            (s.key, getattr(self, s.key), self.origins[s.key], self.sources[s.key])
            for s in SETTINGS
        )

    def as_json(self) -> dict[str, object]:
        """JSON-ready values: paths as strings, tuples as lists."""
        return {s.key: _plain(getattr(self, s.key)) for s in SETTINGS}


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def _xdg(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    value = env.get(variable, "")
    # The XDG spec: a relative path in these variables is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return _home(env) / fallback


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The configuration file to read: SCREENING_CONFIG, else the XDG location."""
    env = os.environ if env is None else env
    explicit = env.get(ENV_PREFIX + "CONFIG", "")
    if explicit:
        return Path(explicit).expanduser()
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "screening" / "config.toml"


def _default_audit_db(env: Mapping[str, str]) -> Path:
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / "screening" / "audit.sqlite3"


def _number(setting: Setting, value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {setting.key} must be a number.")
    if (setting.low is not None and value < setting.low) or (
        setting.high is not None and value > setting.high
    ):
        raise ConfigError(
            f"{where}: {setting.key} must be from {setting.low:g} to {setting.high:g}."
        )
    return float(value)


def _convert(setting: Setting, value: object, where: str, base: Path | None) -> object:
    """Check and convert one value from the file, the environment (text) or a flag."""
    kind = setting.kind
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {setting.key} must be text.")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or len(value) > 200:
            raise ConfigError(f"{where}: {setting.key} must be one short line of text.")
        return value
    if kind in {"int", "float"}:
        if isinstance(value, str):
            value = _parse_number(setting, value, where)
        number = _number(setting, value, where)
        if kind == "int":
            if number != int(number):
                raise ConfigError(f"{where}: {setting.key} must be a whole number.")
            return int(number)
        return number
    if kind == "path":
        return _to_path(setting, value, where, base)
    # paths
    if isinstance(value, str | Path):
        items: Sequence[object] = [p for p in str(value).split(os.pathsep) if p]
    elif isinstance(value, Sequence):
        items = value
    else:
        raise ConfigError(f"{where}: {setting.key} must be a list of paths.")
    return tuple(_to_path(setting, item, where, base) for item in items)


def _parse_number(setting: Setting, text: str, where: str) -> float:
    try:
        return int(text) if setting.kind == "int" else float(text)
    except ValueError:
        raise ConfigError(f"{where}: {setting.key} must be a number.") from None


def _to_path(setting: Setting, value: object, where: str, base: Path | None) -> Path:
    if not isinstance(value, str | Path) or not str(value).strip() or "\x00" in str(value):
        raise ConfigError(f"{where}: {setting.key} must be a file path.")
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return path


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"The configuration file {path} does not exist.") from None
        return {}
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"The configuration file {path} cannot be read: {reason}.") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The configuration file {path} is not valid TOML: {error}.") from None
    unknown = sorted(set(document) - set(_BY_KEY))
    if unknown:
        raise ConfigError(
            f"The configuration file {path} has unknown key(s): {', '.join(unknown)}; "
            f"known keys: {', '.join(_BY_KEY)}."
        )
    return document


# SCREENING_* variables that are not settings: the file location, and two that only the test
# suite and the fuzz harnesses read.
_OTHER_ENV = frozenset({"CONFIG", "FUZZ_SECONDS", "REGEN_GOLDEN"})


def _check_env_names(env: Mapping[str, str]) -> None:
    """A misspelt SCREENING_* variable is an error, not a limit silently left at its default."""
    known = {setting.env for setting in SETTINGS} | {ENV_PREFIX + name for name in _OTHER_ENV}
    unknown = sorted(name for name in env if name.startswith(ENV_PREFIX) and name not in known)
    if unknown:
        guess = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        raise ConfigError(
            f"Unknown environment variable(s) {', '.join(unknown)}{hint}; "
            "`screening config show` lists the settings, each one is SCREENING_<KEY>."
        )


def _given(value: object) -> bool:
    """A flag counts as given unless it is None or an empty list (Typer's 'not given')."""
    if value is None:
        return False
    return not (isinstance(value, Sequence) and not isinstance(value, str) and not value)


def effective_config(
    flags: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Config:
    """Resolve every setting: default < file < environment < flag, recording each origin.

    `flags` maps setting keys to values from the command line (None or [] = not given);
    unknown keys are a programming error. `path` overrides the file location; a path that
    is given (argument or SCREENING_CONFIG) must exist, the XDG default may be absent.
    """
    flags = flags or {}
    env = os.environ if env is None else env
    unknown = sorted(set(flags) - set(_BY_KEY))
    if unknown:
        raise ValueError(f"unknown configuration flag(s): {', '.join(unknown)}")
    _check_env_names(env)
    required = path is not None or bool(env.get(ENV_PREFIX + "CONFIG"))
    file = (path if path is not None else config_path(env)).expanduser()
    document = _read_file(file, required=required)
    values: dict[str, object] = {}
    origins: dict[str, Origin] = {}
    sources: dict[str, str] = {}
    layers: tuple[tuple[Origin, Callable[[Setting], tuple[bool, object, str]]], ...] = (
        (Origin.FILE, lambda s: (s.key in document, document.get(s.key), str(file))),
        (Origin.ENV, lambda s: (bool(env.get(s.env, "").strip()), env.get(s.env), s.env)),
        (Origin.FLAG, lambda s: (_given(flags.get(s.key)), flags.get(s.key), _flag(s))),
    )
    for setting in SETTINGS:
        values[setting.key] = setting.default
        origins[setting.key] = Origin.DEFAULT
        sources[setting.key] = ""
        for origin, lookup in layers:
            present, raw, source = lookup(setting)
            if not present:
                continue
            where = _describe(origin, source)
            base = file.parent if origin is Origin.FILE else None
            values[setting.key] = _convert(setting, raw, where, base)
            origins[setting.key] = origin
            sources[setting.key] = source
    if values["audit_db"] is None:
        values["audit_db"] = _default_audit_db(env)
    if values["audit_key"] is None:
        values["audit_key"] = Path(str(values["audit_db"])).with_name("audit.key")
    _cross_check(values, origins, sources)
    return Config(
        **values,  # type: ignore[arg-type]
        origins=types.MappingProxyType(origins),
        sources=types.MappingProxyType(sources),
        file=file if document or file.is_file() else None,
    )


def _flag(setting: Setting) -> str:
    return "--" + setting.key.replace("_", "-")


def _describe(origin: Origin, source: str) -> str:
    if origin is Origin.FILE:
        return f"The configuration file {source}"
    if origin is Origin.ENV:
        return f"The environment variable {source}"
    return f"The option {source}"


def _cross_check(
    values: Mapping[str, object], origins: Mapping[str, Origin], sources: Mapping[str, str]
) -> None:
    possible = values["possible_threshold"]
    strong = values["strong_threshold"]
    assert isinstance(possible, float)  # noqa: S101 - converted above
    assert isinstance(strong, float)  # noqa: S101
    if possible > strong:
        where = [
            f"{k}={values[k]:g} ({origins[k]}{' ' + sources[k] if sources[k] else ''})"
            for k in ("possible_threshold", "strong_threshold")
        ]
        raise ConfigError(
            "The possible-match threshold must not be above the strong-match threshold: "
            + ", ".join(where)
            + "."
        )


def configured_policy(config: Config) -> Policy:
    """The risk policy named by the configuration, with its configured parameters applied.

    `expiry_window_days` and `max_list_age_days` override the policy file's parameters only
    when they were set (file, env or flag), so a policy file's own values win over defaults.
    """
    from screening.risk import load_policy  # noqa: PLC0415 - config stays import-light

    policy = load_policy(config.policy)
    window_set = config.origin("expiry_window_days") is not Origin.DEFAULT
    age_set = config.origin("max_list_age_days") is not Origin.DEFAULT
    return policy.with_parameters(
        expiry_window_days=config.expiry_window_days if window_set else None,
        max_list_age_days=config.max_list_age_days if age_set else None,
    )
