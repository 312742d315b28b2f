// The ccsim dashboard: renders what /_ccsim/ui/stream pushes; every action is an admin API call.
"use strict";

const API = "/_ccsim";
const JOURNAL_KEPT = 500;
const PRESENCE_COLOURS = { waiting: "--waiting", idle: "--idle", ringing: "--ringing", talking: "--talking",
  held: "--held", wrapup: "--wrapup", busy: "--busy", rest: "--rest" };
const $ = (id) => document.getElementById(id);
// ?static=1: one snapshot, then the stream is closed, so that a page with nothing open lets a
// headless browser finish (chromium --virtual-time-budget=... --screenshot; docs/dashboard.md).
const SNAPSHOT = new URLSearchParams(location.search).has("static");

// What the page measured, for bench/dashboard_push.py and the browser tests.
// latencies: from the first change an update carries to the page having rendered it (ms).
const stats = (window.ccsimStats = { updates: 0, latencies: [], renderMs: [], sentAt: [], rendered: 0 });
const note = (list, value) => { list.push(value); if (list.length > 5000) list.shift(); };  // a day-long page stays small
let token = sessionStorage.getItem("ccsim-token") || "";
let state = null, journal = [], samples = [], epoch = null, source = null;

// -- the admin token ---------------------------------------------------------------------------
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  token = fromHash;
  sessionStorage.setItem("ccsim-token", token);
  window.history.replaceState(null, "", location.pathname);  // the token out of sight
}
function authHeaders() { return token ? { Authorization: `Bearer ${token}` } : {}; }
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("ccsim-token", token);
  $("token-form").hidden = true;
  connect();
});

// -- errors: readable, in the page -------------------------------------------------------------
function showError(message) { $("error-text").textContent = message; $("error").hidden = false; }
$("error-close").addEventListener("click", () => { $("error").hidden = true; });

async function api(method, path, body) {
  let response;
  try {
    response = await fetch(API + path, { method, headers: { "Content-Type": "application/json", ...authHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    showError(`ccsim does not answer (${err.message}): is it still running?`);
    throw err;
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
  if (!response.ok) {
    if (response.status === 401) $("token-form").hidden = false;
    const message = (data && data.error) || `HTTP ${response.status}`;
    showError(`${method} ${path}: ${message}`);
    throw new Error(message);
  }
  $("error").hidden = true;
  return data;
}
const quietly = (promise) => promise.catch(() => {});  // the error is on the page already

// -- the stream ------------------------------------------------------------------------------------
function connect() {
  if (source) source.close();
  source = new EventSource("stream" + (token ? `?access_token=${encodeURIComponent(token)}` : ""));
  source.addEventListener("hello", (e) => {
    const data = JSON.parse(e.data);
    journal = []; samples = data.history; epoch = data.epoch;
    addLines(data.journal, true);
    render(data.state);
    drawChart();
    setLink(true);
    if (SNAPSHOT) { source.close(); $("link").textContent = "snapshot"; }
  });
  source.addEventListener("update", (e) => {
    const started = performance.now();
    const data = JSON.parse(e.data);
    if (data.epoch !== epoch) { epoch = data.epoch; journal = []; addLines([], true); }
    if (data.journal) addLines(data.journal, false);
    if (data.state) render(data.state);
    if (data.sample) { samples.push(data.sample); if (samples.length > 600) samples.shift(); drawChart(); }
    stats.updates += 1;
    note(stats.renderMs, performance.now() - started);
    note(stats.sentAt, data.sentAt);
    if (data.changedAt) note(stats.latencies, Date.now() - data.changedAt);
  });
  source.onerror = async () => {
    setLink(false);
    const probe = await fetch(API + "/health", { headers: authHeaders() }).catch(() => null);
    if (probe && probe.status === 401) { source.close(); $("token-form").hidden = false; }
  };
}
function setLink(up) { $("link").textContent = up ? "live" : "reconnecting"; $("link").className = up ? "link" : "link down"; }

// -- rendering ------------------------------------------------------------------------------------
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const vendorText = (agent) => {
  const faces = agent.face ? [agent.face] : Object.keys(agent.vendor);
  return faces.filter((f) => agent.vendor[f]).map((f) => `${f}: ` +
    Object.entries(agent.vendor[f]).map(([k, v]) => `${k}=${v}`).join(" ")).join("\n");
};

function keyedRows(tbody, items, key, html) {
  const rows = new Map([...tbody.rows].map((r) => [r.dataset.key, r]));
  items.forEach((item, index) => {
    const id = key(item), markup = html(item);
    let row = rows.get(id);
    if (!row) { row = document.createElement("tr"); row.dataset.key = id; }
    rows.delete(id);
    if (row.dataset.markup !== markup) { row.innerHTML = markup; row.dataset.markup = markup; }
    if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] || null);
  });
  rows.forEach((row) => row.remove());
}

function render(next) {
  state = next;
  const c = next.clock;
  $("clock").textContent = `${c.iso} · ${c.kind}` + (c.speed ? ` · ${c.speed}x` : "") + (c.frozen ? " · frozen" : "");
  $("contact-count").textContent = next.contactsLive > next.contacts.length
    ? `the oldest ${next.contacts.length} of ${next.contactsLive}` : "";
  $("agent-count").textContent = `${next.agents.filter((a) => a.face).length} of ${next.agents.length} signed in`;
  keyedRows($("agents").tBodies[0], next.agents, (a) => a.id, (a) =>
    `<td data-agent="${esc(a.id)}"><b>${esc(a.id)}</b> ${esc(a.name)}</td><td>${esc(a.face || a.faces.join(", "))}</td>` +
    `<td><span class="badge ${esc(a.presence)}">${esc(a.presence)}</span>` +
    (a.reason ? ` <span class="reason">${esc(a.reason)}</span>` : "") + "</td>" +
    `<td class="vendor">${esc(vendorText(a))}</td><td>${esc(a.contacts.join(", "))}</td>` +
    (a.face === "xcally" ? `<td><button data-pause="${esc(a.id)}">Pause</button><button data-unpause="${esc(a.id)}">Unpause</button></td>` : "<td></td>"));
  keyedRows($("queues").tBodies[0], next.queues, (q) => q.id, (q) =>
    `<td>${esc(q.id)}</td><td>${esc(q.channel)}</td><td>${q.waiting}</td><td>${q.waiting ? q.longestWait.toFixed(0) + " s" : ""}</td>`);
  keyedRows($("contacts").tBodies[0], next.contacts, (k) => k.id, (k) =>
    `<td>${esc(k.id)} <small>${esc(k.channel)} ${esc(k.caller)}</small></td><td>${esc(k.queue)}</td>` +
    `<td class="contact-state">${esc(k.state)}</td><td>${esc(k.agent)}</td><td>${k.age.toFixed(0)} s</td>` +
    `<td><button data-hangup="${esc(k.id)}">Hang up</button>` +
    (k.state === "queued" || k.state === "offered" ? `<button data-abandon="${esc(k.id)}">Abandon</button>` : "") + "</td>");
  options($("queue-ids"), next.queues.map((q) => q.id));
  options($("fault-face"), next.faces);
  options($("journal-face"), ["", ...next.faces], "all");
  $("faults").innerHTML = next.faults.map((f) => `<li>${esc(f.face)} ${esc(f.op || "every op")} ` +
    `${esc(f.error || "")} ${f.delay ? f.delay + " s" : ""} <button data-fault="${esc(f.id)}">Clear</button></li>`).join("");
  renderPlayback(next.playback);
  stats.rendered += 1;
}

function options(select, values, emptyLabel) {
  const wanted = values.join("\n");
  if (select.dataset.values === wanted) return;
  const chosen = select.value;
  select.innerHTML = values.map((v) => `<option value="${esc(v)}">${esc(v || emptyLabel)}</option>`).join("");
  select.dataset.values = wanted;
  if (values.includes(chosen)) select.value = chosen;
}

function renderPlayback(p) {
  options($("playback-scenario"), p.scenarios);
  const where = p.step >= 0 ? ` · step ${p.step + 1} of ${p.steps.length}` : "";
  $("playback-status").textContent = p.scenario ? `${p.state}${where} · ${p.name}` + (p.message ? ` · ${p.message}` : "")
    : (p.scenarios.length ? "idle: pick a scenario" : `no scenarios in ${p.folder}`);
  $("playback-status").dataset.state = p.state;
  const steps = p.steps.map((s, i) => `<li class="${i === p.step ? "current" : i < p.step ? "done" : ""}">${esc(s)}</li>`).join("");
  if ($("playback-steps").dataset.markup !== steps) { $("playback-steps").innerHTML = steps; $("playback-steps").dataset.markup = steps; }
  if (p.speed && document.activeElement !== $("playback-speed")) {
    $("playback-speed").value = p.speed; $("playback-speed-shown").textContent = `${p.speed}x`;
  }
}

// -- the journal -----------------------------------------------------------------------------------
function lineShown(line) {
  const face = $("journal-face").value, agent = $("journal-agent").value.trim();
  return (!face || line.face === face) && (!agent || line.agent === agent);
}
function lineItem(line) {
  const li = document.createElement("li");
  li.dataset.seq = line.seq;
  const at = new Date(line.at * 1000).toISOString().slice(11, 23);  // the simulator's clock, UTC
  li.innerHTML = `<small>${at}</small> <span class="face">${esc(line.face)}</span> ${esc(line.agent || "")} ${esc(line.text)}`;
  return li;
}
function addLines(lines, replace) {
  journal.push(...lines);
  if (journal.length > JOURNAL_KEPT) journal.splice(0, journal.length - JOURNAL_KEPT);
  const list = $("journal");
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  if (replace) list.replaceChildren(...journal.filter(lineShown).map(lineItem));
  else list.append(...lines.filter(lineShown).map(lineItem));
  while (list.children.length > JOURNAL_KEPT) list.firstChild.remove();
  if (stick) list.scrollTop = list.scrollHeight;
}
$("journal-face").addEventListener("change", () => addLines([], true));
$("journal-agent").addEventListener("input", () => addLines([], true));

// -- the chart ------------------------------------------------------------------------------------
// Plotted in the top 160 units; the time axis (the simulator's clock, UTC) below them. The
// viewBox follows the element's width, so that text is never stretched.
const PLOT_HEIGHT = 160, AXIS_HEIGHT = 20, TICK_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
const clockText = (at) => new Date(at * 1000).toISOString().slice(11, 19);
function timeAxis(x, width) {
  if (!samples.length) return "";
  const first = samples[0].at, last = samples[samples.length - 1].at;
  const step = TICK_SECONDS.find((s) => (last - first) / s <= Math.max(2, Math.floor(width / 110))) || 3600;
  const ticks = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) ticks.push(t);
  if (!ticks.length) ticks.push(last);
  return `<g class="x-axis" font-size="10" fill="#6b7280">` + ticks.map((t) => {
    const at = Math.min(width - 24, Math.max(24, x(t)));
    return `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="0" y2="${PLOT_HEIGHT}" stroke="#e3e6ea"/>` +
      `<text data-at="${t}" x="${at.toFixed(1)}" y="${PLOT_HEIGHT + 14}" text-anchor="middle">${clockText(t)}</text>`;
  }).join("") + `<title>the simulator's clock (UTC)</title></g>`;
}
function drawChart() {
  const svg = $("chart"), width = Math.max(200, Math.round(svg.clientWidth || 600)), height = PLOT_HEIGHT;
  svg.setAttribute("viewBox", `0 0 ${width} ${PLOT_HEIGHT + AXIS_HEIGHT}`);
  const series = Object.keys(PRESENCE_COLOURS);
  const value = (p, s) => (s === "waiting" ? p.waiting : p.agents[s] || 0);
  const top = Math.max(4, ...samples.flatMap((p) => series.map((s) => value(p, s))));
  const first = samples.length ? samples[0].at : 0, span = samples.length ? samples[samples.length - 1].at - first : 0;
  const x = (at) => (span > 0 ? ((at - first) / span) * width : width);
  const y = (v) => height - 4 - (v / top) * (height - 12);
  const colour = (s) => getComputedStyle(document.documentElement).getPropertyValue(PRESENCE_COLOURS[s]);
  svg.innerHTML = timeAxis(x, width) + series.map((s) => `<polyline data-series="${s}" fill="none" stroke-width="${s === "waiting" ? 3 : 1.5}" ` +
    `stroke="${colour(s)}" points="${samples.map((p) => `${x(p.at).toFixed(1)},${y(value(p, s)).toFixed(1)}`).join(" ")}"/>`).join("") +
    `<text class="scale" x="4" y="12" font-size="10">${top}</text>`;
  if (!$("legend").children.length) {
    $("legend").innerHTML = series.map((s) => `<span><i style="background:${colour(s)}"></i>${s === "waiting" ? "calls waiting" : s}</span>`).join("");
  }
}

// -- actions ---------------------------------------------------------------------------------------
$("reset").addEventListener("click", () => quietly(api("POST", "/reset")));
$("inject-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const body = { queue: $("inject-queue").value.trim() };
  if ($("inject-channel").value) body.channel = $("inject-channel").value;
  if ($("inject-caller").value.trim()) body.caller = $("inject-caller").value.trim();
  quietly(api("POST", "/contacts", body));
});
$("pause-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const verb = e.submitter ? e.submitter.dataset.verb : "pause";
  const body = $("pause-channel").value ? { channel: $("pause-channel").value } : {};
  quietly(api("POST", `/agents/${encodeURIComponent($("pause-agent").value.trim())}/${verb}`, body));
});
$("fault-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const body = { face: $("fault-face").value };
  if ($("fault-op").value.trim()) body.op = $("fault-op").value.trim();
  if ($("fault-error").value.trim()) body.error = $("fault-error").value.trim();
  if ($("fault-delay").value) body.delay = Number($("fault-delay").value);
  quietly(api("POST", "/faults", body));
});
$("playback-speed").addEventListener("input", () => { $("playback-speed-shown").textContent = `${$("playback-speed").value}x`; });
$("playback-speed").addEventListener("change", () => {
  if (state && state.clock.speed) quietly(api("POST", "/clock", { speed: Number($("playback-speed").value) }));
});
$("playback-form").addEventListener("submit", (e) => {
  e.preventDefault();
  quietly(api("POST", "/playback", { scenario: $("playback-scenario").value, speed: Number($("playback-speed").value) }));
});
document.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  const d = b.dataset;
  if (d.hangup) quietly(api("POST", `/contacts/${encodeURIComponent(d.hangup)}/hangup`));
  else if (d.abandon) quietly(api("POST", `/contacts/${encodeURIComponent(d.abandon)}/abandon`));
  else if (d.fault) quietly(api("DELETE", `/faults/${encodeURIComponent(d.fault)}`));
  else if (d.pause) quietly(api("POST", `/agents/${encodeURIComponent(d.pause)}/pause`, {}));
  else if (d.unpause) quietly(api("POST", `/agents/${encodeURIComponent(d.unpause)}/unpause`, {}));
  else if (d.action && d.action !== "play") quietly(api("POST", `/playback/${d.action}`));
});

connect();
