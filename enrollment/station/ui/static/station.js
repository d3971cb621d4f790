// Station operator page: JSON calls to /v1/..., CSRF token in X-CSRF-Token on every POST.
// The current enrollment is polled (GET /v1/enrollments/current, see run_board.py); a poll that gets
// no answer shows the "station offline" notice until one answers again.
"use strict";
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const synthetic = document.body.dataset.synthetic === "yes";
const $ = (id) => document.getElementById(id);
let timers = [];
let starting = false; // a Start request is on its way
let running = false; // the station reports an enrollment running
let online = true;
let lastRun = null;

class CallError extends Error {
  constructor(message, code, status) { super(message); this.code = code; this.status = status; }
}

async function call(method, path, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new CallError("the station server is not answering", "offline", 0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new CallError(data.message || response.statusText, data.error || "http", response.status);
  return data;
}

// A poll: marks the station online or offline; a lost session goes back to the login page.
async function poll(path) {
  try {
    const data = await call("GET", path);
    setOnline(true);
    return data;
  } catch (e) {
    setOnline(e.code !== "offline"); // any answer, even an error, means the server is up
    if (e.code === "login_required") location.reload();
    return null;
  }
}

function setOnline(ok) {
  if (ok === online) return;
  online = ok;
  $("offline").hidden = ok;
  document.body.dataset.offline = ok ? "no" : "yes";
  updateControls();
}

function say(text) { $("message").textContent = text || ""; }
function startError(text) { $("start-error").textContent = text || ""; }

function updateControls() {
  const busy = starting || running;
  $("start").disabled = busy || !online;
  $("new-challenge").disabled = !online;
  const pill = $("station-state");
  const state = !online ? "offline" : busy ? "running" : "ready";
  pill.dataset.state = state;
  pill.textContent = { offline: "Offline", running: "Enrollment running", ready: "Ready" }[state];
}

function show(view) {
  for (const id of ["setup", "login", "dashboard"]) $(id).hidden = id !== view;
  $("logout").hidden = view !== "dashboard";
  timers.forEach(clearInterval);
  timers = [];
  if (view === "dashboard") {
    refreshPreview(); refreshRun(); refreshHealth();
    timers.push(setInterval(refreshPreview, 1500), setInterval(refreshRun, 250), setInterval(refreshHealth, 3000));
  } else {
    $("station-state").textContent = view === "setup" ? "First start" : "Logged out";
  }
}

async function begin() {
  const state = await call("GET", "/v1/state");
  show(state.logged_in ? "dashboard" : state.password_set ? "login" : "setup");
}

function refreshPreview() {
  if (!online) return;
  const subject = synthetic ? `&subject=${encodeURIComponent($("subject").value || "0")}` : "";
  $("preview").src = `/v1/preview.jpg?t=${Date.now()}${subject}`;
}

function item(text, className, step) {
  const li = document.createElement("li");
  if (className) li.className = className;
  if (step) li.dataset.step = step;
  li.textContent = text;
  return li;
}

function seconds(s) { return s >= 1 ? `${s.toFixed(1)} s` : `${Math.round(s * 1000)} ms`; }

async function refreshRun() {
  const run = await poll("/v1/enrollments/current");
  if (!run) return;
  if (lastRun !== null && run.run !== lastRun) clearPerson(); // a new person: the last one's fields go
  lastRun = run.run;
  const ended = running && run.state !== "running";
  running = run.state === "running";
  if (ended) refreshHealth(); // today's counters and the registry's size changed
  updateControls();
  $("steps").replaceChildren(...run.steps.map((s, i) => item(
    `${i + 1}. ${s.step}: ${s.reason}${s.seconds ? ` (${seconds(s.seconds)})` : ""}`, s.ok ? "ok" : "refused", s.step)));
  const held = $("possession");
  if (run.possession) {
    held.dataset.ok = "yes";
    const code = document.createElement("code");
    code.textContent = run.possession.commitment;
    const checks = run.checks
      ? ` Checked before capture: device ${run.checks.device}, commitment not on chain.` : "";
    held.replaceChildren("Holder verified (signed the station's challenge) for commitment ", code, `.${checks}`);
  } else {
    held.dataset.ok = "";
    held.textContent = "Identity holder not yet checked.";
  }
  const now = $("now");
  now.hidden = !run.current;
  if (run.current) {
    $("step-count").textContent = `Step ${run.current.index} of ${run.total}: ${run.current.label}…`;
    $("step-count").dataset.index = run.current.index;
  }
  const capture = run.capture;
  $("capture").hidden = !capture;
  if (capture) {
    $("capture-progress").max = capture.of;
    $("capture-progress").value = capture.frames;
    const eye = capture.eyes > 1 ? ` (eye ${capture.eye} of ${capture.eyes})` : "";
    $("capture-text").textContent = `${capture.frames} / ${capture.of} frames${eye}`;
  }
  const out = $("outcome");
  if (run.state === "running") { out.textContent = "Enrollment running…"; out.dataset.outcome = "running"; }
  else if (run.outcome) {
    out.dataset.outcome = run.outcome.outcome;
    out.textContent = run.outcome.outcome === "enrolled"
      ? `Enrolled (leaf ${run.outcome.leaf_index})` : `${run.outcome.outcome}: ${run.outcome.reason}`;
  } else { out.textContent = "No enrollment yet."; out.dataset.outcome = ""; }
}

async function refreshHealth() {
  const data = await poll("/v1/health");
  if (!data) return;
  const today = Object.entries(data.today);
  $("counters").replaceChildren(...(today.length ? today.map(([k, v]) => item(`${k}: ${v}`))
    : [item("No enrollments yet today.", "none")]));
  const h = data.health;
  const rows = {
    "key backend": `${h.key.backend} ${h.key.address}`,
    "chain": h.chain.connected ? `chain ${h.chain.chain_id}, block ${h.chain.block}, ${h.chain.members} members, device ${h.chain.device_status}` : `not connected: ${h.chain.error}`,
    "uniqueness eyes": (h.uniqueness_eyes || []).join(" + "),
    "models": Object.entries(h.models).map(([k, v]) => `${k} ${v}`).join(", "),
    "pending": String(h.pending),
  };
  $("health").replaceChildren(...Object.entries(rows).flatMap(([k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    if (k === "chain") dd.dataset.ok = h.chain.connected && h.chain.device_status === "active" ? "yes" : "no";
    return [dt, dd];
  }));
}

// The challenge and the person's answer belong to one person (the nonce is spent once used).
function clearPerson() {
  $("answer").value = "";
  $("qr").value = "";
  $("challenge-text").textContent = "";
  $("challenge-qr").hidden = true;
  $("challenge-qr").removeAttribute("src");
}

$("setup-button").onclick = () => call("POST", "/v1/setup", { token: $("setup-token").value, password: $("setup-password").value })
  .then(() => location.reload(), (e) => say(e.message));
$("login-button").onclick = () => call("POST", "/v1/login", { password: $("login-password").value })
  .then(() => location.reload(), (e) => say(e.message));
$("logout").onclick = () => call("POST", "/v1/logout").then(() => location.reload(), (e) => say(e.message));
$("new-challenge").onclick = () => call("POST", "/v1/challenge").then((c) => {
  startError("");
  $("challenge-text").textContent = c.text;
  $("challenge-qr").src = c.qr;
  $("challenge-qr").hidden = false;
}, (e) => startError(e.message));
$("enroll-form").onsubmit = (event) => {
  event.preventDefault();
  if (starting || running) return;
  startError("");
  starting = true;
  updateControls();
  call("POST", "/v1/enrollments", new FormData($("enroll-form"))).then(() => {
    clearPerson();
    running = true; // until the next poll says otherwise
  }, (e) => {
    startError(e.message);
    // The answer's nonce is spent once the station has checked it: a new challenge is needed.
    if (!["bad_input", "busy", "csrf", "offline", "request_entity_too_large"].includes(e.code)) clearPerson();
  }).finally(() => {
    starting = false;
    updateControls();
    refreshRun();
  });
};
begin().catch((e) => say(e.message));
