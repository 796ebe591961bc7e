"""Configuration precedence (default < file < env < flag), origins, validation, `config show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from screening.config import SETTINGS, Origin, config_path, configured_policy, effective_config
from screening.errors import ConfigError


def write_config(directory: Path, text: str) -> Path:
    path = directory / "screening" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with its own HOME and XDG folders and no SCREENING_* variables."""
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def test_defaults_when_there_is_no_file(env: dict[str, str], tmp_path: Path) -> None:
    """Without file, env or flags every value is its default and says so."""
    config = effective_config({}, env=env)
    assert all(config.origin(s.key) is Origin.DEFAULT for s in SETTINGS)
    assert config.file is None
    assert config.expiry_window_days == 180
    assert config.watchlists == ()
    assert config.audit_db == tmp_path / "data" / "screening" / "audit.sqlite3"
    assert config.audit_key == tmp_path / "data" / "screening" / "audit.key"


def test_xdg_fallbacks_use_home(tmp_path: Path) -> None:
    """Without XDG variables (or with relative ones) the ~/.config and ~/.local/share defaults apply."""
    home = tmp_path / "h"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "relative/ignored"}
    assert config_path(env) == home / ".config" / "screening" / "config.toml"
    config = effective_config({}, env=env)
    assert config.audit_db == home / ".local" / "share" / "screening" / "audit.sqlite3"


def test_precedence_default_file_env_flag(env: dict[str, str], tmp_path: Path) -> None:
    """A flag beats the environment, which beats the file, which beats the default."""
    write_config(
        tmp_path / "config",
        'checkpoint = "file-cp"\nofficer_id = "file-officer"\nmax_pages = 4\nmax_bytes = 1000\n',
    )
    env = {**env, "SCREENING_OFFICER_ID": "env-officer", "SCREENING_MAX_PAGES": "5"}
    config = effective_config({"max_pages": 6, "checkpoint": None}, env=env)
    assert (config.checkpoint, config.origin("checkpoint")) == ("file-cp", Origin.FILE)
    assert (config.officer_id, config.origin("officer_id")) == ("env-officer", Origin.ENV)
    assert (config.max_pages, config.origin("max_pages")) == (6, Origin.FLAG)
    assert (config.max_bytes, config.origin("max_bytes")) == (1000, Origin.FILE)
    assert config.origin("max_pixels") is Origin.DEFAULT
    assert config.sources["officer_id"] == "SCREENING_OFFICER_ID"
    assert config.sources["max_pages"] == "--max-pages"
    assert config.sources["checkpoint"].endswith("config.toml")


def test_list_settings_from_file_env_and_flags(env: dict[str, str], tmp_path: Path) -> None:
    """Lists: TOML arrays (relative to the file), ':'-separated env values, repeated flags."""
    path = write_config(tmp_path / "config", 'watchlists = ["lists/a.csv", "/abs/b.csv"]\n')
    config = effective_config({}, env=env)
    assert config.watchlists == (path.parent / "lists" / "a.csv", Path("/abs/b.csv"))
    config = effective_config({}, env={**env, "SCREENING_WATCHLISTS": "/x.csv:/y.csv"})
    assert config.watchlists == (Path("/x.csv"), Path("/y.csv"))
    config = effective_config({"watchlists": ["z.csv"], "allowlists": []}, env=env)
    assert config.watchlists == (Path("z.csv"),)
    assert config.origin("allowlists") is Origin.DEFAULT  # an empty flag list is "not given"


def test_audit_key_defaults_beside_a_configured_db(env: dict[str, str], tmp_path: Path) -> None:
    """Moving the audit DB moves the default key file with it."""
    config = effective_config({"audit_db": str(tmp_path / "x" / "log.db")}, env=env)
    assert config.audit_key == tmp_path / "x" / "audit.key"
    assert config.origin("audit_key") is Origin.DEFAULT


def test_explicit_path_and_screening_config(env: dict[str, str], tmp_path: Path) -> None:
    """`path=` and SCREENING_CONFIG choose the file; a named file that is missing is an error."""
    other = tmp_path / "other.toml"
    other.write_text('checkpoint = "other"\n', encoding="utf-8")
    assert effective_config({}, env=env, path=other).checkpoint == "other"
    assert effective_config({}, env={**env, "SCREENING_CONFIG": str(other)}).checkpoint == "other"
    with pytest.raises(ConfigError, match="does not exist"):
        effective_config({}, env=env, path=tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("checkpoint = ", "not valid TOML"),
        ("chekpoint = 'x'\n", "unknown key"),
        ("max_pages = 'many'\n", "must be a number"),
        ("max_pages = 2.5\n", "whole number"),
        ("max_pages = 0\n", "must be from 1"),
        ("possible_threshold = 101\n", "from 0 to 100"),
        ("possible_threshold = 95\nstrong_threshold = 90\n", "must not be above"),
        ("checkpoint = 5\n", "must be text"),
        ('checkpoint = "a\\nb"\n', "one short line"),
        ("watchlists = 3\n", "list of paths"),
        ("policy = ''\n", "file path"),
        ("max_bytes = true\n", "must be a number"),
    ],
)
def test_invalid_file_values_are_config_errors(
    env: dict[str, str], tmp_path: Path, text: str, message: str
) -> None:
    """A bad value in the file raises ConfigError naming the file; never a silent default."""
    path = write_config(tmp_path / "config", text)
    with pytest.raises(ConfigError, match=message) as caught:
        effective_config({}, env=env)
    assert str(path) in caught.value.message


def test_invalid_environment_value_names_the_variable(env: dict[str, str]) -> None:
    """SCREENING_MAX_PIXELS=lots names the variable in the error."""
    with pytest.raises(ConfigError, match="SCREENING_MAX_PIXELS"):
        effective_config({}, env={**env, "SCREENING_MAX_PIXELS": "lots"})


def test_misspelt_environment_variable_is_an_error_with_a_guess(env: dict[str, str]) -> None:
    """SCREENING_MAX_PIXEL (no S) would silently leave the limit at its default: refuse it."""
    with pytest.raises(ConfigError, match="did you mean SCREENING_MAX_PIXELS"):
        effective_config({}, env={**env, "SCREENING_MAX_PIXEL": "5000"})


def test_misspelt_environment_variable_exits_6_from_the_command(env: dict[str, str]) -> None:
    """Through the installed command: exit 6 and the variable named on stderr."""
    result = run_cli("config", "show", env={**env, "SCREENING_OCR_TIMEOUT": "5"})
    assert result.returncode == 6
    assert "SCREENING_OCR_TIMEOUT" in result.stderr


def test_invalid_flag_value_names_the_option(env: dict[str, str]) -> None:
    """A bad flag value names the option."""
    with pytest.raises(ConfigError, match="--ocr-timeout-s"):
        effective_config({"ocr_timeout_s": -1}, env=env)


def test_unknown_flag_key_is_a_programming_error(env: dict[str, str]) -> None:
    """Passing a key that is not a setting is a bug in the caller (ValueError)."""
    with pytest.raises(ValueError, match="unknown configuration flag"):
        effective_config({"nope": 1}, env=env)


def test_unreadable_config_file(env: dict[str, str], tmp_path: Path) -> None:
    """A config file that is not UTF-8 is a ConfigError."""
    path = write_config(tmp_path / "config", "")
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        effective_config({}, env=env)


def test_configured_policy_applies_set_values_only(env: dict[str, str], tmp_path: Path) -> None:
    """A policy file's window is kept unless the configuration sets one explicitly."""
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text("[parameters]\nexpiry_window_days = 30\n", encoding="utf-8")
    config = effective_config({"policy": str(policy_file)}, env=env)
    assert configured_policy(config).expiry_window_days == 30
    config = effective_config(
        {"policy": str(policy_file), "expiry_window_days": 7, "max_list_age_days": 2}, env=env
    )
    policy = configured_policy(config)
    assert policy.expiry_window_days == 7
    assert policy.max_list_age_days == 2.0


# --- the CLI -------------------------------------------------------------------------------


def test_config_show_json_reports_values_and_origins(env: dict[str, str], tmp_path: Path) -> None:
    """`config show --format json` gives every key with value, origin and source."""
    write_config(tmp_path / "config", 'checkpoint = "CGK-T3"\n')
    result = run_cli(
        "config", "show", "--format", "json", env={**env, "SCREENING_OFFICER_ID": "officer-7"}
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == "1"
    settings = data["settings"]
    assert settings["checkpoint"] == {
        "value": "CGK-T3",
        "origin": "file",
        "source": str(tmp_path / "config" / "screening" / "config.toml"),
        "env": "SCREENING_CHECKPOINT",
    }
    assert settings["officer_id"]["origin"] == "env"
    assert settings["max_pages"]["value"] == 10
    assert settings["max_pages"]["origin"] == "default"
    assert {s.key for s in SETTINGS} == set(settings)


def test_config_show_table_is_readable_without_colour(env: dict[str, str]) -> None:
    """The table names each key, its value and its origin in plain text."""
    result = run_cli("config", "show", env={**env, "SCREENING_CHECKPOINT": "SUB-1"})
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    line = next(x for x in result.stdout.splitlines() if "checkpoint" in x)
    assert "SUB-1" in line
    assert "env" in line


def test_config_show_with_a_bad_file_exits_6(env: dict[str, str], tmp_path: Path) -> None:
    """A broken configuration file exits 6 with one line on stderr, no traceback."""
    write_config(tmp_path / "config", "max_pages = 'x'\n")
    result = run_cli("config", "show", env=env)
    assert result.returncode == 6
    assert "max_pages" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_show_escapes_markup_in_values(env: dict[str, str]) -> None:
    """Rich markup in a value is printed literally, not interpreted."""
    result = run_cli("config", "show", env={**env, "SCREENING_CHECKPOINT": "[bold]X[/bold]"})
    assert result.returncode == 0, result.stderr
    assert "[bold]X[/bold]" in result.stdout


def test_threshold_defaults_are_the_matchers_defaults(env: dict[str, str]) -> None:
    """The configuration's default thresholds are the ones documented by the matcher."""
    from screening.matching import DEFAULT_POSSIBLE, DEFAULT_STRONG  # noqa: PLC0415

    config = effective_config({}, env=env)
    assert config.possible_threshold == DEFAULT_POSSIBLE
    assert config.strong_threshold == DEFAULT_STRONG


def test_policy_and_config_defaults_agree(env: dict[str, str]) -> None:
    """Expiry window and list age: the config defaults equal the packaged policy's values."""
    from screening.risk import load_policy  # noqa: PLC0415

    config = effective_config({}, env=env)
    policy = load_policy()
    assert config.expiry_window_days == policy.expiry_window_days
    assert config.max_list_age_days == policy.max_list_age_days


def test_config_show_validates_the_policy_file(env: dict[str, str], tmp_path: Path) -> None:
    """A malformed policy named by the configuration exits 6 with code policy_invalid's message."""
    bad = tmp_path / "policy.toml"
    bad.write_text('[severity]\nmrz_check_digit = "critical"\n', encoding="utf-8")
    result = run_cli("config", "show", env={**env, "SCREENING_POLICY": str(bad)})
    assert result.returncode == 6
    assert "risk policy" in result.stderr
    assert str(bad) in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr
    good = tmp_path / "good.toml"
    good.write_text('[severity]\nmrz_check_digit = "review"\n', encoding="utf-8")
    result = run_cli("config", "show", "-f", "json", env={**env, "SCREENING_POLICY": str(good)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["policy"] == {
        "source": str(good),
        "overrides": ["mrz_check_digit"],
    }
