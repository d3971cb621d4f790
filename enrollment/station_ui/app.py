"""The operator's web UI on localhost: `create_station_app(station, cameras, data_dir)`.

Pages: one HTML page (templates/station.html + static/station.js) that talks JSON to /v1/...:
first-start password setup, login, logout, live preview (periodic JPEG, never stored), start an
enrollment (typed commitment or a QR photo of the person's screen), the current enrollment's
steps as they happen, today's counters, and device health. Sessions are signed cookies
(SameSite=Strict, HttpOnly); every POST carries the session's CSRF token in X-CSRF-Token. Every
operator action goes to the audit log. Errors are JSON {"error", "message"} from one handler.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, jsonify, render_template, request, session
from werkzeug.exceptions import HTTPException

from zk_identity.errors import PersonhoodError

from ..commitment_input import commitment_from_qr, decode_image, parse_commitment
from ..station import Station
from ..station_steps import StationInputError, StepResult
from .cameras import Cameras, check_subject, preview_jpeg
from .operator_auth import load_password, set_password

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/", "/v1/state", "/v1/setup", "/v1/login"})


class UiError(PersonhoodError):
    """A request the UI refuses: `status` (HTTP) and a machine-readable `code`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code = status, code
        super().__init__(message)


class Enrollments:
    """The current enrollment (run in a background thread) and today's counters."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: dict[str, object] = {"state": "idle", "steps": []}
        self.counters: Counter[str] = Counter()
        self.day = _today()
        self.visits = 0

    def count(self, key: str) -> None:
        with self.lock:
            if self.day != _today():
                self.day, self.counters = _today(), Counter()
            self.counters[key] += 1


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


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
    runs = Enrollments()
    runs.counters.update(todays_counters(station.audit.path, runs.day))

    def audit(event: str, **payload: object) -> None:
        station.log_event(event, payload)

    @app.errorhandler(Exception)
    def error(e: Exception):
        if isinstance(e, UiError):
            return jsonify(error=e.code, message=str(e)), e.status
        if isinstance(e, StationInputError):
            return jsonify(error="bad_input", message=str(e)), 400
        if isinstance(e, HTTPException):
            return jsonify(error=(e.name or "http").lower().replace(" ", "_"), message=e.description), e.code
        if isinstance(e, PersonhoodError):
            return jsonify(error="refused", message=str(e)), 409
        logger.error("station UI: unexpected %s", type(e).__name__)
        return jsonify(error="internal", message="internal error; see the station log"), 500

    @app.before_request
    def guard() -> None:
        session.setdefault("csrf", secrets.token_urlsafe(24))
        if request.method == "POST" and request.headers.get("X-CSRF-Token") != session["csrf"]:
            raise UiError(403, "csrf", "missing or wrong CSRF token; reload the page")
        if (
            request.path not in OPEN_PATHS
            and not request.path.startswith("/static/")
            and not session.get("operator")
        ):
            raise UiError(401, "login_required", "log in first")

    @app.get("/")
    def index() -> str:
        return render_template("station.html", csrf=session["csrf"], synthetic=cameras.synthetic)

    @app.get("/v1/state")
    def state():
        return jsonify(
            password_set=load_password(password_path) is not None, logged_in=bool(session.get("operator"))
        )

    @app.post("/v1/setup")
    def setup():
        if load_password(password_path) is not None:
            raise UiError(409, "already_set", "the operator password is already set")
        set_password(password_path, _json_field("password"))
        audit("operator.password_set")
        session["operator"] = True
        return jsonify(ok=True)

    @app.post("/v1/login")
    def login():
        stored = load_password(password_path)
        if stored is None:
            raise UiError(409, "no_password", "set the operator password first")
        if not stored.check(_json_field("password")):
            audit("operator.login_failed")
            raise UiError(401, "bad_password", "wrong password")
        session["operator"] = True
        session["csrf"] = secrets.token_urlsafe(24)  # a fresh token for the logged-in session
        audit("operator.login")
        return jsonify(ok=True, csrf=session["csrf"])

    @app.post("/v1/logout")
    def logout():
        audit("operator.logout")
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
        with runs.lock:
            return jsonify(runs.current)

    @app.post("/v1/enrollments")
    def start():
        commitment = _commitment_from_request()
        subject = None
        if cameras.synthetic:
            try:
                subject = check_subject(int(request.form.get("subject", "")))
            except ValueError as e:
                raise StationInputError("the synthetic subject must be a whole number") from e
        with runs.lock:
            if runs.current["state"] == "running":
                raise UiError(409, "busy", "an enrollment is already running")
            runs.visits += 1
            runs.current = {"state": "running", "steps": [], "outcome": None}
            visit = runs.visits
        try:
            source, illuminator = cameras.open(subject, visit)
        except Exception as e:
            # Leave "running" (or every later Start answers busy); the error handler answers the operator.
            reason = str(e)[:300] if isinstance(e, PersonhoodError) else "internal error; see the station log"
            with runs.lock:
                runs.current = {
                    "state": "done",
                    "steps": [],
                    "outcome": {"outcome": "error", "reason": reason},
                }
            runs.count("error")
            raise
        audit("operator.enrollment_started")
        threading.Thread(target=_run, args=(source, illuminator, commitment), daemon=True).start()
        return jsonify(ok=True), 202

    def _run(source, illuminator, commitment: int) -> None:
        def on_step(result: StepResult) -> None:
            with runs.lock:
                runs.current["steps"].append(result.as_dict())  # type: ignore[union-attr]

        try:
            outcome = station.enroll(source, illuminator, commitment, on_step=on_step)
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
        with runs.lock:
            runs.current = {"state": "done", "steps": result["steps"], "outcome": result}

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
    return counters


def _json_field(name: str) -> str:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(name), str):
        raise StationInputError(f"send a JSON object with a string field {name!r}")
    return body[name]


def _commitment_from_request() -> int:
    """The commitment from the form: a QR photo upload wins over the typed text."""
    upload = request.files.get("qr")
    if upload is not None and upload.filename:
        return commitment_from_qr(decode_image(upload.read()))
    return parse_commitment(request.form.get("commitment", ""))
