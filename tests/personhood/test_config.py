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


def test_typed_settings_from_file_and_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "p.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path}"\ndeployment_file = "{tmp_path / "d.json"}"\npkcs11_token = "st-1"\n'
    )
    settings = load_settings(cfg, environ={"PERSONHOOD_RELAYER_URL": "http://127.0.0.1:9000"})
    assert settings.deployment_path == tmp_path / "d.json"
    assert settings.device_keystore_path == tmp_path / "device-keystore.json"  # the default under data_dir
    assert (settings.pkcs11_token, settings.relayer_url) == ("st-1", "http://127.0.0.1:9000")
    assert settings.pkcs11_library is None


@pytest.mark.parametrize("text", ['[extra]\nrelayer_key = "0x11"', "deployment_file = 3"])
def test_the_old_extra_table_and_mistyped_paths_are_refused(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "p.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError):
        load_settings(cfg, environ={})


def test_the_proving_setup_comes_from_the_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "p.toml"
    cfg.write_text(f'keys = "own"\ncache_dir = "{tmp_path / "c"}"\nnode_modules = "{tmp_path / "nm"}"\n')
    settings = load_settings(cfg, environ={})
    setup = settings.proving_setup(verifier="node")
    assert (setup.keys, setup.cache_dir, setup.node_modules) == ("own", tmp_path / "c", tmp_path / "nm")
    assert (setup.prover, setup.verifier, setup.pool) == ("auto", "node", None)
    assert settings.proving_setup(keys="official", prover="cli").keys == "official"  # a command's --keys
    assert settings.proving_setup(keys="official", prover="cli").prover == "cli"
