"""One typed settings object, read from a TOML file and PERSONHOOD_* environment variables.

Precedence (last wins): built-in defaults < TOML file < environment. The TOML file is
`personhood.toml` in the working directory, or the path in PERSONHOOD_CONFIG.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from zk_identity.errors import PersonhoodError
from zk_identity.node_tools import DEFAULT_NODE_MODULES, PROJECT_ROOT
from zk_identity.prover_pool import ProverPool
from zk_identity.proving_setup import ProvingSetup

if TYPE_CHECKING:
    from contracts import DeployedSystem

ENV_PREFIX = "PERSONHOOD_"
DEFAULT_RELAYER_URL = "http://127.0.0.1:8000"
API_LIMIT_SETTINGS = (
    "max_in_flight",
    "max_queue",
    "queue_wait_s",
    "verify_rate",
    "verify_action_rate",
    "relay_proposal_rate",
    "trusted_proxies",
)
RELAY_POLICY_SETTINGS = (
    "relay_ballots",
    "relay_proposers",
    "relay_gas_per_proposal",
    "relay_gas_per_period",
    "relay_period_s",
)


class ConfigError(PersonhoodError, ValueError):
    """The configuration file or an environment variable is invalid."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the embedded defaults (local anvil, SQLite, dev setup)."""

    node_modules: Path = DEFAULT_NODE_MODULES
    cache_dir: Path = PROJECT_ROOT / ".cache"
    data_dir: Path = PROJECT_ROOT / ".cache" / "data"
    rpc_url: str = ""  # empty: start an embedded anvil
    database_url: str = ""  # empty: SQLite in data_dir
    keys: str = "official"  # proving keys: "official" Semaphore ceremony or "own" circuit
    log_level: str = "WARNING"
    deployment_file: Path | None = None  # None: data_dir/deployment.json
    relayer_url: str = DEFAULT_RELAYER_URL  # where `personhood vote` sends ballots
    relayer_key: str = ""  # hex private key the relayer pays gas from; empty: the node's first account
    device_keystore: Path | None = None  # None: data_dir/device-keystore.json
    pkcs11_library: Path | None = None  # None: SoftHSM2's module, wherever the system installed it
    pkcs11_token: str = ""  # label of the station's PKCS#11 token
    # The verification API's limits (governance/api_guard.py; None: its defaults).
    max_in_flight: int | None = None  # proof checks at once
    max_queue: int | None = None  # requests waiting for a check; more get 503 + Retry-After
    queue_wait_s: float | None = None  # how long one may wait
    verify_rate: str | None = None  # per client, "REQUESTS/SECONDS"
    verify_action_rate: str | None = None  # per action, "REQUESTS/SECONDS"
    relay_proposal_rate: str | None = None  # relayed votes per proposal, "REQUESTS/SECONDS"
    trusted_proxies: str | None = None  # comma-separated addresses whose X-Forwarded-For is believed
    # The relayer's policy (governance/relay_policy.py; None: its defaults).
    relay_ballots: str | None = None  # comma-separated ballot kinds it pays for
    relay_proposers: str | None = None  # comma-separated proposer addresses; None: any proposer
    relay_gas_per_proposal: int | None = None
    relay_gas_per_period: int | None = None
    relay_period_s: float | None = None
    relay_queue: bool = True  # relay votes through the persisted queue (several per block); False: inline
    relay_queue_url: str = ""  # its database; empty: SQLite relay-queue.sqlite3 in data_dir
    # The HTTP server of every `serve` command (personhood/wsgi_server.py; None: its defaults).
    server_threads: int | None = None  # worker threads
    server_connection_limit: int | None = None  # open connections; more wait in the listen backlog
    server_channel_timeout_s: float | None = None  # an idle or half-sent request is closed after this

    def replace(self, **changes: object) -> Settings:
        """A copy with some fields changed (validated like a loaded file)."""
        return _build({**_as_dict(self), **changes})

    def open_deployment(self) -> DeployedSystem:
        """The deployment at `deployment_path` on the chain at `rpc_url`, as typed clients (the one way
        the API and the CLI open the chain). ChainError / DeploymentFileError when either is missing."""
        from contracts import open_deployment  # web3 loads only for commands that reach a chain

        return open_deployment(self.rpc_url, self.deployment_path, self.cache_dir, self.node_modules)

    def proving_setup(
        self,
        *,
        keys: str | None = None,
        pool: ProverPool | None = None,
        prover: str = "auto",
        verifier: str = "py_ecc",
    ) -> ProvingSetup:
        """The proving setup these settings name (`keys`, `cache_dir`, `node_modules`); `keys` overrides
        the configured key source (a command-line choice), `pool` shares a running worker pool."""
        return ProvingSetup(
            keys=keys or self.keys,
            cache_dir=self.cache_dir,
            node_modules=self.node_modules,
            pool=pool,
            prover=prover,
            verifier=verifier,
        )

    def given(self, names: tuple[str, ...]) -> dict[str, object]:
        """The settings among `names` that are set (not None), by name: a component's configuration."""
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    @property
    def deployment_path(self) -> Path:
        """The deployment file every chain command reads (written by `personhood chain deploy`)."""
        return self.deployment_file or self.data_dir / "deployment.json"

    @property
    def device_keystore_path(self) -> Path:
        """The station's device keystore file."""
        return self.device_keystore or self.data_dir / "device-keystore.json"


def _as_dict(settings: Settings) -> dict[str, object]:
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


def _coerce(name: str, kind: object, value: object) -> object:
    if kind in ("int | None", "float | None"):
        return None if value is None else _number(name, int if kind.startswith("int") else float, value)
    if kind == "str | None":
        return None if value is None else _coerce(name, "str", value)
    if kind == "Path | None":
        return None if value is None or value == "" else _coerce(name, "Path", value)
    if kind in ("Path", Path):
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"setting {name!r} must be a path, got {type(value).__name__}")
        return Path(value).expanduser()
    if kind in ("bool", bool):
        text = str(value).strip().lower() if isinstance(value, str) else value
        if text in (True, "true", "1", "yes"):
            return True
        if text in (False, "false", "0", "no"):
            return False
        raise ConfigError(f"setting {name!r} must be true or false, got {value!r}")
    if kind in ("str", str):
        if not isinstance(value, str):
            raise ConfigError(f"setting {name!r} must be a string, got {type(value).__name__}")
        return value
    return value


def _number(name: str, kind: type, value: object) -> object:
    """An int or float setting from TOML (a number) or the environment (its text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"setting {name!r} must be a number, got {type(value).__name__}")
    try:
        number = kind(value)
    except ValueError as e:
        raise ConfigError(f"setting {name!r} must be a number, got {value!r}") from e
    if kind is int and isinstance(value, float):
        raise ConfigError(f"setting {name!r} must be a whole number, got {value!r}")
    return number


def _build(values: Mapping[str, object]) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    coerced = {name: _coerce(name, known[name].type, v) for name, v in values.items()}
    if coerced.get("keys", "official") not in ("official", "own"):
        raise ConfigError("setting 'keys' must be 'official' or 'own'")
    return dataclasses.replace(Settings(), **coerced)


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from defaults, the TOML file (if any) and the environment.

    Raises ConfigError for a malformed file, an unknown key or a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    candidate = Path(path) if path is not None else Path(env.get(ENV_PREFIX + "CONFIG", "personhood.toml"))
    if candidate.is_file():
        try:
            values.update(tomllib.loads(candidate.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{candidate}: not valid TOML: {e}") from e
    elif path is not None:
        raise ConfigError(f"config file {candidate} does not exist")
    if "extra" in values:
        raise ConfigError("the [extra] table is gone: its keys are top-level settings now (see README)")
    known = {f.name for f in fields(Settings)}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and key != ENV_PREFIX + "CONFIG":
            name = key[len(ENV_PREFIX) :].lower()
            if name in known:
                values[name] = value
    return _build(values)
