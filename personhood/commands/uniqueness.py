"""`personhood uniqueness`: the deployment's uniqueness service (one gallery for every station).

    personhood device init --keystore DATA_DIR/uniqueness-keystore.json     the service's own key
    personhood uniqueness info  --keystore ...                              what stations pin
    personhood uniqueness serve --keystore ... --registry ADDRESS [--operator 0x...]   serve /v1/...
    personhood uniqueness delete RECORD_ID --reason TEXT --service URL --keystore OPERATOR.json
                                                                            erase one record (operator)

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
from .exit_codes import EXIT_OK, EXIT_REFUSED
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
    serve.add_argument(
        "--operator", help="the address whose signed requests may erase records (default: nobody may)"
    )
    serve.set_defaults(handler=cmd_serve)
    delete = sub.add_parser("delete", help="erase one record (the operator's key signs the request)")
    add_device_key_args(delete)
    delete.add_argument("record_id", type=int, metavar="RECORD_ID", help="as the audit log names it")
    delete.add_argument(
        "--reason", required=True, help="why (kept in the deletions journal; no personal data)"
    )
    delete.add_argument("--service", required=True, help="the service's URL, e.g. http://host:8766")
    delete.add_argument("--service-address", help="refuse a service with another signing address (pin it)")
    delete.set_defaults(handler=cmd_delete)


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
                endpoint = Endpoint(service, operator=args.operator)
                app = create_app({"UNIQUENESS_ENDPOINT": endpoint})
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


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    """Sign a deletion request with the operator's key and send it; exit 1 when the service refuses."""
    from enrollment.station.uniqueness_port import UniquenessRefusedError
    from uniqueness.client import HttpTransport
    from uniqueness.operator_client import request_deletion

    key = open_device_key(args, settings)
    try:
        answer = request_deletion(
            key, HttpTransport(args.service), args.record_id, args.reason, args.service_address
        )
    except UniquenessRefusedError as e:
        notice(f"refused ({e.code}): {e}")
        if args.json:
            emit({"deleted": False, "error": e.code, "message": str(e)}, True, "")
        return EXIT_REFUSED
    finally:
        key.close()
    emit(
        {"deleted": True, "record_id": args.record_id, "answer": answer},
        args.json,
        f"record {args.record_id} erased from the deployment's gallery",
    )
    return EXIT_OK
