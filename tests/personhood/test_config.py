from pathlib import Path

import pytest

from personhood.config import ConfigError, load_settings


def test_defaults_when_no_file_and_no_env(tmp_path: Path) -> None:
    settings = load_settings(environ={"PERSONHOOD_CONFIG": str(tmp_path / "absent.toml")})
    assert settings.keys == "official"
    assert settings.node_modules.name == "node_modules"


def test_file_then_environment_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "p.toml"
    cfg.write_text('rpc_url = "http://127.0.0.1:9"\nkeys = "own"\n')
    settings = load_settings(cfg, environ={"PERSONHOOD_RPC_URL": "http://127.0.0.1:10"})
    assert settings.keys == "own"
    assert settings.rpc_url == "http://127.0.0.1:10"


@pytest.mark.parametrize(
    "text",
    ['nonsense = "x"', "rpc_url = 5", 'keys = "mine"', "not toml ="],
)
def test_bad_config_is_refused(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "p.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError):
        load_settings(cfg, environ={})


def test_missing_explicit_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})
