"""`personhood station serve`: the enrollment station's operator UI on localhost.

The station needs its device key (see `personhood device`), a registry on the configured chain
(`--registry`, or `--deploy` on the embedded anvil for a demo, which also authorizes the device),
the deployment's uniqueness service (`--uniqueness URL`; `--deploy` starts a throw-away one itself)
and a camera (an OpenCV device index). The synthetic eye (`--camera synthetic`, or `--dev`) makes a
new live-looking person per subject number, so it is only offered against a registry this command
has just deployed (`--deploy` / `--dev`), never against one named with `--registry`. The UI is
served on 127.0.0.1 only; the operator sets a password at first start.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import tempfile
from contextlib import ExitStack
from pathlib import Path

from contracts import RegistryClient, attach, build_contracts, connect, deploy_all
from enrollment.errors import StationInputError
from enrollment.station import Station
from enrollment.station.binding import bind_station_dir, binding_of, require_authorized
from enrollment.station.chain_port import ChainPort
from enrollment.station.ui import OpenCvCameras, create_station_app
from simulation.station_camera import SyntheticCameras
from uniqueness import HttpTransport, UniquenessClient
from uniqueness.embedded import start_embedded

from ..config import Settings
from ..wsgi_server import SERVER_SETTINGS, ServerLimits, make_server
from ..wsgi_server import stop as stop_server
from .device_key_args import add_device_key_args, open_device_key
from .eth_address import parse_address
from .output import notice, progress

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
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development station: --deploy on the embedded chain with the synthetic camera",
    )
    serve.add_argument(
        "--camera",
        help="an OpenCV camera index; 'synthetic' only with --deploy/--dev (their default; "
        "required with --registry)",
    )
    serve.add_argument("--uniqueness", help="URL of the deployment's uniqueness service (http://host:port)")
    serve.add_argument("--uniqueness-address", help="the uniqueness service's signing address (pinned)")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--station-dir", type=Path, help="gallery, audit log, journal (default: DATA_DIR/station)"
    )
    serve.set_defaults(handler=cmd_serve)


def choose_cameras(spec: str | None, *, dev: bool, deployed_here: bool) -> SyntheticCameras | OpenCvCameras:
    """The station's camera provider; StationInputError unless a synthetic eye is safe here.

    The synthetic eye mints a live-looking person per subject number: with a production device key
    against a real registry it would let the operator enroll identities at will. So it needs both a
    registry this run deploys (`deployed_here`, which `--dev` implies); without one a camera index is
    required.
    """
    if spec is None:
        if not (dev or deployed_here):
            raise StationInputError(
                "name the camera with --camera INDEX (the synthetic eye is for --dev / --deploy only)"
            )
        spec = "synthetic"
    if spec == "synthetic":
        if not deployed_here:
            raise StationInputError(
                "the synthetic camera is refused against a registry this command did not deploy; "
                "use --dev (or --deploy) for a development station, or --camera INDEX"
            )
        return SyntheticCameras()
    if spec.isdigit():
        return OpenCvCameras(int(spec))
    raise StationInputError(f"--camera must be a camera index or 'synthetic', got {spec!r}")


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
    deploy = bool(args.deploy or args.dev)
    if deploy and args.registry:
        raise StationInputError("--registry names an existing registry; --deploy/--dev deploy a new one")
    if not deploy and not args.registry:
        raise StationInputError("name the registry with --registry ADDRESS, or use --deploy for a demo chain")
    cameras = choose_cameras(args.camera, dev=args.dev, deployed_here=deploy)
    if not deploy and not args.uniqueness:
        raise StationInputError(
            "name the uniqueness service with --uniqueness URL, or use --deploy for a demo"
        )
    signal.signal(signal.SIGTERM, _stop)
    station_dir = args.station_dir or settings.data_dir / "station"
    key = open_device_key(args, settings)
    stack = ExitStack()
    try:
        contracts = build_contracts(settings.cache_dir, (), settings.node_modules)
        with connect(settings.rpc_url, settings.node_modules) as w3:
            accounts = w3.eth.accounts
            relayer = args.relayer or (accounts[0] if accounts else None)
            if relayer is None:
                raise StationInputError("the node has no unlocked account; name a relayer with --relayer")
            if deploy:
                registry = attach(w3, contracts, deploy_all(w3, contracts, accounts[0])).registry
                registry.authorize_device(key.address, accounts[0])
                progress(f"deployed the registry at {registry.address} and authorized device {key.address}")
            else:
                registry = RegistryClient(w3, contracts, parse_address(args.registry, "--registry"))
            require_authorized(key.address, registry.device_status(key.address))
            bind_station_dir(station_dir, binding_of(registry))
            url, pinned = args.uniqueness, args.uniqueness_address
            if not url:  # --deploy: a throw-away service for the throw-away chain
                where = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="personhood-uniqueness-"))
                )
                url, pinned = start_embedded(stack, registry, where)
                progress(f"started a local uniqueness service {pinned} on {url}")
            client = UniquenessClient.connect(key, HttpTransport(url), expected_service=pinned)
            if not pinned:
                notice(f"uniqueness service {client.service}: not pinned (add --uniqueness-address)")
            station = Station.open(station_dir, key, ChainPort(registry, relayer), uniqueness=client)
            try:
                app = create_station_app(station, cameras, station_dir)
                limits = ServerLimits.from_settings(settings.given(SERVER_SETTINGS))
                server = make_server(app, args.host, args.port, limits)
                notice(f"station UI on http://{args.host}:{server.effective_port}/ (Ctrl-C stops it)")
                if app.config["STATION_SETUP_TOKEN"]:
                    notice(f"first start: setup token {app.config['STATION_SETUP_TOKEN']} (needed once)")
                try:
                    server.run()  # SIGTERM/Ctrl-C: running requests finish, then it returns
                finally:
                    stop_server(server)
            finally:
                station.close()
    finally:
        stack.close()
        cameras.close()
        key.close()
    return 0
