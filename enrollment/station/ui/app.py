"""The operator's web UI on localhost: `create_station_app(station, cameras, data_dir)`.

Pages: one HTML page (templates/station.html + static/station.js) that talks JSON to /v1/...:
first-start password setup, login, logout, live preview (periodic JPEG, never stored), a fresh
challenge for the person's wallet, start an enrollment (the wallet's signed answer, pasted or as a QR
photo of the person's screen: possession of the commitment's key is checked before any camera step,
see enrollment/possession.py), the current enrollment's
steps as they happen (step k of N, the capture's frames; run_board.py), today's counters, and device
health. Before the camera opens, the registry is asked whether this device may enroll and whether the
commitment is already on chain (enrollment/station/precheck.py). Sessions live on the station (the signed
cookie, SameSite=Strict and HttpOnly, only names one; logout ends it, idle and absolute expiry apply);
every POST carries the session's CSRF token in X-CSRF-Token. Requests must name the station by a
loopback Host (127.0.0.1, [::1] or localhost: a DNS-rebound name is refused); the first password needs
the one-time setup token printed on the console (`app.config["STATION_SETUP_TOKEN"]`); failed logins
back off. Every operator action goes to the audit log. Errors are JSON {"error", "message"} from one
handler. Every answer carries a strict Content-Security-Policy: the page loads its own script, stylesheet
and images only (the challenge QR is a data: URL) and nothing from anywhere else.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import threading
from collections import Counter
from pathlib import Path

import qrcode
from flask import Flask, Response, jsonify, render_template, request, session

from hardware.http_errors import ErrorMapper, HttpError, coded
from zk_identity.errors import PersonhoodError

from ...commitment_input import decode_image
from ...possession import (
    CHALLENGE_PREFIX,
    NonceBook,
    PossessionAnswer,
    PossessionError,
    answer_from_qr,
    parse_answer,
)
from ..flow import Station
from ..precheck import PreCaptureRefusedError, check_before_capture
from ..steps import StationInputError
from .cameras import Cameras, check_subject, preview_jpeg
from .operator_auth import load_password, set_password
from .operator_sessions import LoginThrottle, OperatorSessions, setup_token
from .run_board import ProgressSource, RunBoard

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/", "/v1/state", "/v1/setup", "/v1/login"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class UiError(PersonhoodError):
    """A request the UI refuses: `status` (HTTP) and a machine-readable `code`."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        self.status, self.code, self.retry_after = status, code, retry_after
        super().__init__(message)


def create_station_app(station: Station, cameras: Cameras, data_dir: Path) -> Flask:
    """The operator UI over an open `station`; the password lives in `data_dir/operator.json`."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # sessions end when the station restarts
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
    )
    password_path = Path(data_dir) / "operator.json"
    runs = RunBoard(station.params.stages.n_frames, len(station.uniqueness.eyes))
    nonces = NonceBook()
    sessions, throttle = OperatorSessions(), LoginThrottle()
    app.config["STATION_SETUP_TOKEN"] = setup_token() if load_password(password_path) is None else None
    runs.counters.update(todays_counters(station.audit.path, runs.day))

    def audit(event: str, **payload: object) -> None:
        station.log_event(event, payload)

    app.register_error_handler(
        Exception,
        ErrorMapper(
            rules=(
                (UiError, coded),
                (StationInputError, lambda e: HttpError(400, "bad_input", str(e))),
                (PossessionError, lambda e: HttpError(403, "possession_refused", str(e))),
                (PersonhoodError, lambda e: HttpError(409, "refused", str(e))),
            ),
            internal=HttpError(500, "internal", "internal error; see the station log"),
            log_traceback=False,  # an error's text could carry a person's data: only its type is logged
        ),
    )

    def logged_in() -> bool:
        return sessions.valid(session.get("sid"))

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.before_request
    def guard() -> None:
        host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
        if host.lower() not in LOOPBACK_HOSTS:
            raise UiError(
                403, "bad_host", "open the station as http://127.0.0.1:PORT/ (this host name is refused)"
            )
        session.setdefault("csrf", secrets.token_urlsafe(24))
        if request.method == "POST" and request.headers.get("X-CSRF-Token") != session["csrf"]:
            raise UiError(403, "csrf", "missing or wrong CSRF token; reload the page")
        if request.path not in OPEN_PATHS and not request.path.startswith("/static/") and not logged_in():
            raise UiError(401, "login_required", "log in first")

    @app.get("/")
    def index() -> str:
        return render_template("station.html", csrf=session["csrf"], synthetic=cameras.synthetic)

    @app.get("/v1/state")
    def state():
        return jsonify(password_set=load_password(password_path) is not None, logged_in=logged_in())

    @app.post("/v1/setup")
    def setup():
        if load_password(password_path) is not None:
            raise UiError(409, "already_set", "the operator password is already set")
        token = app.config["STATION_SETUP_TOKEN"]
        if not token or not secrets.compare_digest(_json_field("token").encode(), token.encode()):
            audit("operator.setup_refused")
            raise UiError(403, "bad_setup_token", "enter the setup token printed on the station's console")
        set_password(password_path, _json_field("password"))
        app.config["STATION_SETUP_TOKEN"] = None  # one time only
        audit("operator.password_set")
        session["sid"] = sessions.create()
        return jsonify(ok=True)

    @app.post("/v1/login")
    def login():
        stored = load_password(password_path)
        if stored is None:
            raise UiError(409, "no_password", "set the operator password first")
        wait = throttle.wait_s()
        if wait > 0:
            audit("operator.login_throttled")
            raise UiError(
                429, "login_throttled", f"too many wrong passwords; wait {wait:.0f} s", retry_after=wait
            )
        if not stored.check(_json_field("password")):
            throttle.failed()
            audit("operator.login_failed")
            raise UiError(401, "bad_password", "wrong password")
        throttle.succeeded()
        session["sid"] = sessions.create()
        session["csrf"] = secrets.token_urlsafe(24)  # a fresh token for the logged-in session
        audit("operator.login")
        return jsonify(ok=True, csrf=session["csrf"])

    @app.post("/v1/logout")
    def logout():
        audit("operator.logout")
        sessions.end(session.get("sid"))  # the session ends on the station: a copied cookie is dead too
        session.clear()
        return jsonify(ok=True)

    @app.get("/v1/preview.jpg")
    def preview() -> Response:
        subject = request.args.get("subject", type=int) if cameras.synthetic else None
        image = cameras.preview(check_subject(subject) if subject is not None else None)
        response = Response(preview_jpeg(image), mimetype="image/jpeg")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/v1/health")
    def health():
        with runs.lock:
            counters = dict(runs.counters)
        return jsonify(health=station.health(), today=counters, day=runs.day)

    @app.get("/v1/enrollments/current")
    def current():
        return jsonify(runs.view())

    @app.post("/v1/challenge")
    def challenge():
        nonce = nonces.issue()
        text = f"{CHALLENGE_PREFIX}{nonce}"
        audit("operator.challenge_issued")
        return jsonify(nonce=str(nonce), text=text, qr=qr_data_url(text))

    @app.post("/v1/enrollments")
    def start():
        answer = _answer_from_request()
        subject = None
        if cameras.synthetic:
            try:
                subject = check_subject(int(request.form.get("subject", "")))
            except ValueError as e:
                raise StationInputError("the synthetic subject must be a whole number") from e
        if runs.running:
            raise UiError(409, "busy", "an enrollment is already running")
        try:
            commitment = nonces.verify(answer)  # before the camera opens: no biometric step yet
        except PossessionError:
            audit("operator.possession_refused")
            raise
        try:  # nor before the registry says this device may enroll and the person is not a member
            checks = check_before_capture(station.chain, station.key.address, commitment)
        except PreCaptureRefusedError as e:
            audit("operator.precheck_refused", reason=e.code)
            runs.count(f"refused:{e.code}")
            raise UiError(409, e.code, str(e)) from e
        possession = {"ok": True, "commitment": str(commitment)}
        visit = runs.begin(possession, checks.as_dict())
        if visit is None:
            raise UiError(409, "busy", "an enrollment is already running")
        try:
            source, illuminator = cameras.open(subject, visit)
        except Exception as e:
            # Leave "running" (or every later Start answers busy); the error handler answers the operator.
            reason = str(e)[:300] if isinstance(e, PersonhoodError) else "internal error; see the station log"
            runs.finish({"outcome": "error", "reason": reason})
            runs.count("error")
            raise
        audit("operator.enrollment_started", possession="verified")
        source = ProgressSource(source, runs.frame)
        threading.Thread(target=_run, args=(source, illuminator, commitment), daemon=True).start()
        return jsonify(ok=True), 202

    def _run(source, illuminator, commitment: int) -> None:
        try:
            outcome = station.enroll(source, illuminator, commitment, on_step=runs.step)
            result = outcome.as_dict()
            runs.count(outcome.outcome if outcome.enrolled else f"refused:{outcome.failed_step.step}")
        except PersonhoodError as e:
            result = {"outcome": "error", "reason": str(e)[:300], "steps": []}
            runs.count("error")
        except Exception as e:  # the run thread must always leave a result for the operator
            logger.error("enrollment thread failed: %s", type(e).__name__)
            result = {"outcome": "error", "reason": "internal error; see the station log", "steps": []}
            runs.count("error")
        finally:
            source.close()
        runs.finish(result)

    return app


def todays_counters(audit_path: Path, day: str) -> Counter[str]:
    """Today's outcomes from the audit log (so the counters survive a restart of the station)."""
    counters: Counter[str] = Counter()
    for line in Path(audit_path).read_bytes().splitlines():
        entry = json.loads(line)
        if not str(entry.get("time", "")).startswith(day):
            continue
        if entry["event"] == "enrollment.accepted":
            counters["enrolled"] += 1
        elif entry["event"] == "enrollment.refused":
            counters[f"refused:{entry['payload'].get('step')}"] += 1
        elif entry["event"] == "operator.precheck_refused":
            counters[f"refused:{entry['payload'].get('reason')}"] += 1
    return counters


def _json_field(name: str) -> str:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(name), str):
        raise StationInputError(f"send a JSON object with a string field {name!r}")
    return body[name]


def _answer_from_request() -> PossessionAnswer:
    """The wallet's signed answer from the form: a QR photo upload wins over the pasted text."""
    upload = request.files.get("qr")
    if upload is not None and upload.filename:
        return answer_from_qr(decode_image(upload.read()))
    return parse_answer(request.form.get("answer", ""))


def qr_data_url(text: str) -> str:
    """A PNG QR code of `text` as a data: URL (the person's wallet scans the challenge from the screen)."""
    buffer = io.BytesIO()
    qrcode.make(text, border=2).save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
