// Station operator page: JSON calls to /v1/..., CSRF token in X-CSRF-Token on every POST.
"use strict";
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const synthetic = document.body.dataset.synthetic === "yes";
const $ = (id) => document.getElementById(id);
let timers = [];

async function call(method, path, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || response.statusText);
  return data;
}

function say(text) { $("message").textContent = text || ""; }

function show(view) {
  for (const id of ["setup", "login", "dashboard"]) $(id).hidden = id !== view;
  timers.forEach(clearInterval);
  timers = [];
  if (view === "dashboard") {
    refreshPreview(); refreshRun(); refreshHealth();
    timers.push(setInterval(refreshPreview, 1500), setInterval(refreshRun, 500), setInterval(refreshHealth, 3000));
  }
}

async function start() {
  const state = await call("GET", "/v1/state");
  show(state.logged_in ? "dashboard" : state.password_set ? "login" : "setup");
}

function refreshPreview() {
  const subject = synthetic ? `&subject=${encodeURIComponent($("subject").value || "0")}` : "";
  $("preview").src = `/v1/preview.jpg?t=${Date.now()}${subject}`;
}

async function refreshRun() {
  const run = await call("GET", "/v1/enrollments/current").catch(() => null);
  if (!run) return;
  const list = $("steps");
  list.replaceChildren(...run.steps.map((s) => {
    const li = document.createElement("li");
    li.className = s.ok ? "ok" : "refused";
    li.dataset.step = s.step;
    li.textContent = `${s.step}: ${s.reason}`;
    return li;
  }));
  const held = $("possession");
  if (run.possession) {
    held.dataset.ok = "yes";
    held.textContent = `holder verified: signed the station's challenge for commitment ${run.possession.commitment}`;
  }
  const out = $("outcome");
  if (run.state === "running") { out.textContent = "Enrollment running…"; out.dataset.outcome = "running"; }
  else if (run.outcome) {
    out.dataset.outcome = run.outcome.outcome;
    out.textContent = run.outcome.outcome === "enrolled"
      ? `enrolled (leaf ${run.outcome.leaf_index})` : `${run.outcome.outcome}: ${run.outcome.reason}`;
  }
}

async function refreshHealth() {
  const data = await call("GET", "/v1/health").catch(() => null);
  if (!data) return;
  $("counters").replaceChildren(...Object.entries(data.today).map(([k, v]) => {
    const li = document.createElement("li"); li.textContent = `${k}: ${v}`; return li;
  }));
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
    return [dt, dd];
  }));
}

$("setup-button").onclick = () => call("POST", "/v1/setup", { token: $("setup-token").value, password: $("setup-password").value })
  .then(() => location.reload(), (e) => say(e.message));
$("login-button").onclick = () => call("POST", "/v1/login", { password: $("login-password").value })
  .then(() => location.reload(), (e) => say(e.message));
$("logout").onclick = () => call("POST", "/v1/logout").then(() => location.reload());
$("new-challenge").onclick = () => call("POST", "/v1/challenge").then((c) => {
  $("challenge-text").textContent = c.text;
  $("challenge-qr").src = c.qr;
  $("challenge-qr").hidden = false;
}, (e) => say(e.message));
$("enroll-form").onsubmit = (event) => {
  event.preventDefault();
  say("");
  call("POST", "/v1/enrollments", new FormData($("enroll-form"))).then(refreshRun, (e) => say(e.message));
};
start().catch((e) => say(e.message));
