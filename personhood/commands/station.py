"""`personhood station serve`: the enrollment station's operator UI on localhost.

The station needs its device key (see `personhood device`), a registry on the configured chain
(`--registry`, or `--deploy` on the embedded anvil for a demo, which also authorizes the device)
and a camera (`--camera synthetic` for the synthetic eye, or an OpenCV device index). The UI is
served on 127.0.0.1 only; the operator sets a password at first start.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
from pathlib import Path

from werkzeug.serving import make_server

from contracts import RegistryClient, build_contracts, connect, deploy_all
from enrollment.station import Station
from enrollment.station_binding import bind_station_dir, binding_of, require_authorized
from enrollment.station_chain import ChainPort
from enrollment.station_steps import StationInputError
from enrollment.station_ui import OpenCvCameras, create_station_app
from simulation.station_camera import SyntheticCameras

from ..config import Settings
from .device_key_args import add_device_key_args, open_device_key
from .eth_address import parse_address
from .output import progress

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `station` noun."""
    parser = subparsers.add_parser("station", help="run the enrollment station (operator web UI)")
    sub = parser.add_subparsers(dest="station_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="serve the operator UI on localhost")
    add_device_key_args(serve)
    serve.add_argument("--registry", help="PersonhoodRegistry address on the configured chain")
    serve.add_argument(
        "--deploy",
        action="store_true",
        help="deploy a fresh system on the chain and authorize this device (demo)",
    )
    serve.add_argument(
        "--relayer", help="unlocked node account that pays for enrollments (default: the first)"
    )
    serve.add_argument("--camera", default="synthetic", help="'synthetic' or an OpenCV camera index")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--station-dir", type=Path, help="gallery, audit log, journal (default: DATA_DIR/station)"
    )
    serve.set_defaults(handler=cmd_serve)


def _cameras(spec: str) -> SyntheticCameras | OpenCvCameras:
    if spec == "synthetic":
        return SyntheticCameras()
    if spec.isdigit():
        return OpenCvCameras(int(spec))
    raise StationInputError(f"--camera must be 'synthetic' or a camera index, got {spec!r}")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the server like Ctrl-C: stores closed, embedded anvil stopped


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Open the station (recovering any unfinished enrollment) and serve the UI until Ctrl-C / SIGTERM."""
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError as e:
        raise StationInputError(f"--host must be an IP address such as 127.0.0.1, got {args.host!r}") from e
    if not loopback:
        raise StationInputError("the operator UI listens on a loopback address only (e.g. 127.0.0.1)")
    if not args.deploy and not args.registry:
        raise StationInputError("name the registry with --registry ADDRESS, or use --deploy for a demo chain")
    cameras = _cameras(args.camera)
    signal.signal(signal.SIGTERM, _stop)
    station_dir = args.station_dir or settings.data_dir / "station"
    key = open_device_key(args, settings)
    try:
        contracts = build_contracts(settings.cache_dir, (), settings.node_modules)
        with connect(settings.rpc_url, settings.node_modules) as w3:
            accounts = w3.eth.accounts
            relayer = args.relayer or (accounts[0] if accounts else None)
            if relayer is None:
                raise StationInputError("the node has no unlocked account; name a relayer with --relayer")
            address = parse_address(args.registry, "--registry") if args.registry else None
            if args.deploy:
                address = deploy_all(w3, contracts, accounts[0]).registry
                registry = RegistryClient(w3, contracts, address)
                registry.authorize_device(key.address, accounts[0])
                progress(f"deployed the registry at {address} and authorized device {key.address}")
            registry = RegistryClient(w3, contracts, address)
            require_authorized(key.address, ChainPort(registry, relayer).device_status(key.address))
            bind_station_dir(station_dir, binding_of(w3, registry.address))
            station = Station.open(station_dir, key, ChainPort(registry, relayer))
            try:
                app = create_station_app(station, cameras, station_dir)
                server = make_server(args.host, args.port, app, threaded=True)
                progress(f"station UI on http://{args.host}:{server.server_port}/ (Ctrl-C stops it)")
                try:
                    server.serve_forever()
                finally:
                    server.server_close()
            finally:
                station.close()
    finally:
        cameras.close()
        key.close()
    return 0
