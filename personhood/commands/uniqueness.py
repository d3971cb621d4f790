"""`personhood uniqueness`: the deployment's uniqueness service (one gallery for every station).

    personhood device init --keystore DATA_DIR/uniqueness-keystore.json     the service's own key
    personhood uniqueness info  --keystore ...                              what stations pin
    personhood uniqueness serve --keystore ... --registry ADDRESS           serve /v1/... until Ctrl-C

The service reads the registry (authorized devices, leaves) on the configured chain; it never
writes to it. Its gallery, reservation journal, signed head and audit log live in --dir.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from contracts import RegistryClient, build_contracts, connect
from uniqueness import EYES, Endpoint, RegistryView, ServiceParams, UniquenessService, create_app
from uniqueness.sealed import X25519_KEY_PURPOSE

from ..config import Settings
from ..wsgi_server import SERVER_SETTINGS, ServerLimits, make_server
from ..wsgi_server import stop as stop_server
from .device_key_args import add_device_key_args, open_device_key
from .exit_codes import EXIT_OK
from .output import emit, notice

DEFAULT_PORT = 8766


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `uniqueness` noun."""
    parser = subparsers.add_parser("uniqueness", help="run the deployment's uniqueness service")
    sub = parser.add_subparsers(dest="uniqueness_command", metavar="ACTION", required=True)
    info = sub.add_parser("info", help="print the service's address and X25519 key (stations pin them)")
    add_device_key_args(info)
    info.set_defaults(handler=cmd_info)
    serve = sub.add_parser("serve", help="serve search-and-reserve, commit and release over HTTP")
    add_device_key_args(serve)
    serve.add_argument("--registry", required=True, help="PersonhoodRegistry address on the configured chain")
    serve.add_argument(
        "--dir", type=Path, help="gallery, journal, head, audit log (default: DATA_DIR/uniqueness)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (put TLS in front)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--eyes", default="LR", choices=["LR", "L", "R"], help="eyes stored and required")
    serve.add_argument("--engine", default="local", help="gallery engine: local, ray or ray://host:port")
    serve.add_argument("--shards", type=int, default=2, help="gallery shards per eye")
    serve.set_defaults(handler=cmd_serve)


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    """Print the service key's address and the X25519 public key derived from it."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from uniqueness.sealed import public_bytes

    key = open_device_key(args, settings)
    try:
        x25519 = X25519PrivateKey.from_private_bytes(key.derive_key_material(X25519_KEY_PURPOSE))
        info = {
            "service": key.address,
            "x25519": public_bytes(x25519.public_key()).hex(),
            "backend": key.backend,
        }
    finally:
        key.close()
    emit(info, args.json, f"uniqueness service {info['service']}, X25519 key {info['x25519']}")
    return EXIT_OK


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the server like Ctrl-C: stores closed


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Open the service (recovering, checking the gallery against its head and the chain) and serve."""
    params = ServiceParams(
        eyes=tuple(e for e in EYES if e in args.eyes), engine=args.engine, shards=args.shards
    )
    signal.signal(signal.SIGTERM, _stop)
    key = open_device_key(args, settings)
    try:
        contracts = build_contracts(settings.cache_dir, (), settings.node_modules)
        with connect(settings.rpc_url, settings.node_modules) as w3:
            registry = RegistryView(RegistryClient(w3, contracts, args.registry))
            service = UniquenessService.open(
                args.dir or settings.data_dir / "uniqueness", key, registry, params
            )
            try:
                app = create_app({"UNIQUENESS_ENDPOINT": Endpoint(service)})
                limits = ServerLimits.from_settings(settings.given(SERVER_SETTINGS))
                server = make_server(app, args.host, args.port, limits)
                notice(
                    f"uniqueness service {key.address} on http://{args.host}:{server.effective_port}/v1 "
                    f"({service.size()} records, eyes {'+'.join(params.eyes)}; Ctrl-C stops it)"
                )
                try:
                    server.run()  # SIGTERM/Ctrl-C: running requests finish, then it returns
                finally:
                    stop_server(server)
            finally:
                service.close()
    finally:
        key.close()
    return EXIT_OK
