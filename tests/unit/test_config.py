"""Settings: shipped defaults, then --config FILE, then TOTEFLOW_* variables; bad keys named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from toteflow.config import ConfigError, Settings, default_config_dir, load_settings

DEFAULTS = default_config_dir() / "toteflow.toml"


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load_with_nothing_else() -> None:
    settings = load_settings(environ={})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8765
    assert settings.server.database_url == ""
    assert settings.server.migrate is True
    assert settings.station.pin_required is True
    assert settings.config_dir == default_config_dir()
    assert DEFAULTS.is_file()


def test_the_shipped_file_writes_down_every_default_the_code_has() -> None:
    """config/toteflow.toml is the one place to read the defaults: it must agree with the code."""
    shipped = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    code = Settings().model_dump(mode="json", exclude={"config_dir"})
    for section, values in code.items():
        missing = sorted(set(values) - set(shipped.get(section, {})))
        assert missing == [], f"[{section}] keys not written in {DEFAULTS}: {missing}"
    loaded = load_settings(environ={}).model_dump(mode="json", exclude={"config_dir"})
    assert loaded == code


def test_a_config_file_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    site = write(tmp_path, '[server]\nport = 9000\ndatabase_url = "sqlite:///x.db"\n')
    settings = load_settings(site, environ={})
    assert settings.server.port == 9000
    assert settings.server.database_url == "sqlite:///x.db"
    assert settings.server.host == "127.0.0.1"
    assert settings.station == load_settings(environ={}).station


def test_toteflow_config_names_the_file_when_no_option_does(tmp_path: Path) -> None:
    chosen = write(tmp_path, "[server]\nport = 9001\n", "chosen.toml")
    other = write(tmp_path, "[server]\nport = 9002\n", "other.toml")
    assert load_settings(environ={"TOTEFLOW_CONFIG": str(chosen)}).server.port == 9001
    # --config wins over the variable.
    assert load_settings(other, environ={"TOTEFLOW_CONFIG": str(chosen)}).server.port == 9002


def test_environment_variables_override_file_and_defaults(tmp_path: Path) -> None:
    site = write(tmp_path, "[server]\nport = 9000\nworkers = 3\n")
    env = {
        "TOTEFLOW_SERVER_PORT": "9100",
        "TOTEFLOW_SERVER_MIGRATE": "false",
        "TOTEFLOW_STATION_SYNC_INTERVAL_SECONDS": "0.5",
        "PATH": "/usr/bin",  # not ours: ignored
    }
    settings = load_settings(site, environ=env)
    assert settings.server.port == 9100
    assert settings.server.workers == 3
    assert settings.server.migrate is False
    assert settings.station.sync_interval_seconds == 0.5
    assert load_settings(environ={"TOTEFLOW_SERVER_PORT": "9100"}).server.port == 9100


def test_an_unknown_key_in_a_file_names_the_key_and_the_file(tmp_path: Path) -> None:
    site = write(tmp_path, '[server]\nport = 9000\ncolour = "blue"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(site, environ={})
    assert str(error.value) == f"unknown key [server] colour in {site}"


def test_an_unknown_section_in_a_file_names_the_file(tmp_path: Path) -> None:
    site = write(tmp_path, '[printr]\nhost = "10.0.0.9"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(site, environ={})
    assert "[printr]" in str(error.value)
    assert str(site) in str(error.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[server]\nport = "eighty"\n', "invalid value for [server] port in {site}: "),
        ("[server]\nport = 70000\n", "invalid value for [server] port in {site}: "),
        ("[server]\nworkers = 0\n", "invalid value for [server] workers in {site}: "),
        ('[station]\npin_required = "perhaps"\n', "invalid value for [station] pin_required"),
    ],
)
def test_an_invalid_value_in_a_file_names_the_key_and_the_file(
    tmp_path: Path, text: str, says: str
) -> None:
    site = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_settings(site, environ={})
    assert says.format(site=site) in str(error.value)
    if "{site}" not in says:
        assert str(site) in str(error.value)


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    site = write(tmp_path, '[server]\nport = "eighty"\ncolour = 1\n')
    with pytest.raises(ConfigError) as error:
        load_settings(site, environ={})
    message = str(error.value)
    assert f"invalid value for [server] port in {site}" in message
    assert f"unknown key [server] colour in {site}" in message


def test_an_invalid_value_in_the_environment_names_the_key_and_the_variable() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={"TOTEFLOW_SERVER_PORT": "99999"})
    assert str(error.value).startswith(
        "invalid value for [server] port in environment variable TOTEFLOW_SERVER_PORT: "
    )
    with pytest.raises(ConfigError, match="TOTEFLOW_SERVER_MIGRATE"):
        load_settings(environ={"TOTEFLOW_SERVER_MIGRATE": "sometimes"})


@pytest.mark.parametrize(
    "variable",
    ["TOTEFLOW_SERVER_PROT", "TOTEFLOW_PRINTER_HOST", "TOTEFLOW_PORT", "TOTEFLOW_CONFIG_DIR"],
)
def test_an_unknown_toteflow_variable_is_named(variable: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={variable: "1"})
    assert str(error.value) == f"unknown setting in environment variable {variable}"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as error:
        load_settings(missing, environ={})
    assert str(error.value) == f"config file not found: {missing}"
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(environ={"TOTEFLOW_CONFIG": str(missing)})


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    broken = write(tmp_path, "[server\nport = 9000\n")
    with pytest.raises(ConfigError) as error:
        load_settings(broken, environ={})
    assert str(error.value).startswith(f"{broken}: not valid TOML: ")
    assert "line 1" in str(error.value)


def test_a_section_that_is_not_a_table_is_named(tmp_path: Path) -> None:
    flat = write(tmp_path, "server = 5\n")
    with pytest.raises(ConfigError) as error:
        load_settings(flat, environ={})
    assert str(error.value) == f"{flat}: [server] must be a table of settings"


def test_relative_file_names_resolve_against_the_config_folder(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    assert settings.resolve("warehouse.toml") == default_config_dir() / "warehouse.toml"
    assert settings.resolve(str(tmp_path / "x.toml")) == tmp_path / "x.toml"


def test_keyed_items_and_the_weight_limits_are_settings_and_checked(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    assert settings.station.allow_keyed_items is False
    assert (settings.shipping.weight_supervisor_pct, settings.shipping.weight_supervisor_g) == (
        15.0,
        250,
    )
    keyed = tmp_path / "keyed.toml"
    keyed.write_text("[station]\nallow_keyed_items = true\n")
    assert load_settings(keyed, environ={}).station.allow_keyed_items is True
    low = tmp_path / "low.toml"
    low.write_text("[shipping]\nweight_tolerance_g = 300\nweight_supervisor_g = 200\n")
    with pytest.raises(ConfigError, match="weight_supervisor_pct and weight_supervisor_g must be"):
        load_settings(low, environ={})
