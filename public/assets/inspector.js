// The inspector: one stream read twice, as raw bytes through fetch and as events through EventSource.
import { chrome, params, logLine, openEventSource, publish } from "./cuecast.js";

chrome();
const $ = (s) => document.querySelector(s);
const READY = ["CONNECTING (0)", "OPEN (1)", "CLOSED (2)"];
const label = `inspector-${Math.random().toString(36).slice(2, 10)}`;

// State, also read by the browser tests.
const state = (window.inspector = {
  label, raw: "", rawEvents: [], esEvents: [], states: [], headers: {}, responses: [], reconnects: 0, rawConnections: 0, connection: null,
});
let es = null, esTimer = null, raw = null, modes = {};

function setMessage(text) { $("#message").textContent = text; $("#message").classList.remove("refusal"); }

async function loadTargets() {
  const select = $("#target");
  try {
    const [{ scenarios }, { channels }] = await Promise.all([
      fetch("/api/scenarios").then((r) => r.json()), fetch("/api/channels").then((r) => r.json())]);
    const streams = document.createElement("optgroup"); streams.label = "Streams";
    for (const s of scenarios) { modes[s.stream] = s.mode; streams.append(new Option(`${s.name} (${s.mode})`, s.stream)); }
    const chans = document.createElement("optgroup"); chans.label = "Channels";
    for (const c of channels) chans.append(new Option(`channel ${c.name}`, c.stream));
    select.append(streams, chans);
  } catch (error) { setMessage(`Could not load the list: ${error.message}`); }
  const wanted = params.get("stream") ? `/streams/${params.get("stream")}` : params.get("channel") ? `/channels/${params.get("channel")}` : "/streams/wire-format-tour";
  if (![...select.options].some((o) => o.value === wanted)) select.append(new Option(wanted, wanted));
  select.value = wanted;
  if (params.get("speed")) $("#speed").value = params.get("speed");
  if (params.get("history")) $("#history").value = params.get("history");
  // Faults can be asked for in the page's own URL too: inspector.html?stream=clock&junk=1&lineEnding=cr
  for (const name of faultNames) {
    const value = params.get(name);
    if (value === null) continue;
    const input = $(`#fault-${name}`);
    if (input.type === "checkbox") input.checked = value === "1"; else input.value = value;
    $("#faults").open = true;
  }
  syncFields();
}

function syncFields() {
  const path = $("#target").value;
  const solo = modes[path] === "solo";
  $("#speed").disabled = !solo;
  $("#history").disabled = modes[path] !== "live";
}

/** The stream options that make the server misbehave on purpose (docs/faults.md), one input each. */
const faultNames = ["lineEnding", "bom", "junk", "drip", "latency", "closeAfter", "closeMidEvent", "stallAfter", "status", "contentType"];

function url(client) {
  const path = $("#target").value;
  const q = new URLSearchParams();
  for (const name of faultNames) {
    const input = $(`#fault-${name}`);
    if (input.type === "checkbox" ? input.checked : input.value !== "") q.set(name, input.type === "checkbox" ? "1" : input.value);
  }
  if (!$("#speed").disabled && $("#speed").value) q.set("speed", $("#speed").value);
  if (!$("#history").disabled && $("#history").value) q.set("history", $("#history").value);
  q.set("client", client);
  return `${path}?${q}`;
}

// ---- raw view -------------------------------------------------------------------------------------------------
const rawBox = $("#raw");
function rawAppend(node) {
  const stick = rawBox.scrollTop + rawBox.clientHeight >= rawBox.scrollHeight - 20;
  rawBox.append(node);
  if (stick) rawBox.scrollTop = rawBox.scrollHeight;
}
function showLine(line, eol) {
  const frag = document.createDocumentFragment();
  if (line.startsWith(":")) frag.append(Object.assign(document.createElement("span"), { className: "comment", textContent: line }));
  else {
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    frag.append(Object.assign(document.createElement("span"), { className: "field", textContent: name }));
    if (colon >= 0) frag.append(line.slice(colon).replaceAll(" ", "·").replace(/^:·/, ": ").replace(/^:/, ":"));
  }
  const marks = { "\n": "LF", "\r": "CR", "\r\n": "CRLF" };
  const mark = Object.assign(document.createElement("span"), { className: "eol", textContent: marks[eol] || "", title: `line end: ${marks[eol]}` });
  frag.append(mark, "\n");
  rawAppend(frag);
}

/** A spec parser for the raw view (WHATWG "interpret an event stream"), to compare with EventSource. */
function rawParser(conn) {
  let data = [], type = "", hasData = false;
  return (line) => {
    if (line === "") {
      if (hasData) {
        state.rawEvents.push({ type: type || "message", data: data.join("\n"), lastEventId: conn.lastId, connection: conn.n });
        compare();
      }
      data = []; type = ""; hasData = false;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") { data.push(value); hasData = true; }
    else if (field === "event") type = value;
    else if (field === "id" && !value.includes("\0")) conn.lastId = value;
    else if (field === "retry" && /^\d+$/.test(value)) conn.retry = Number(value);
  };
}

function startRaw() {
  const conn = (raw = { controller: new AbortController(), lastId: "", retry: 3000, n: 0, closed: false, id: null });
  const once = async () => {
    conn.n = ++state.rawConnections;
    $("#rawconns").textContent = state.rawConnections;
    const headers = conn.lastId ? { "Last-Event-ID": conn.lastId } : {};
    rawAppend(Object.assign(document.createElement("span"), { className: "conn",
      textContent: `── fetch #${conn.n}: GET ${url(label + "-raw")}${conn.lastId ? `  Last-Event-ID: ${conn.lastId}` : ""}` }));
    const response = await fetch(url(label + "-raw"), { headers, signal: conn.controller.signal, cache: "no-store" });
    conn.id = response.headers.get("X-Cuecast-Connection");
    state.connection = conn.id;
    state.headers = Object.fromEntries(response.headers.entries());
    state.responses.push({ status: response.status, headers: state.headers });
    $("#headers").textContent += `${conn.n > 1 ? "\n" : ""}── fetch #${conn.n}\nHTTP ${response.status} ${response.statusText}\n` +
      [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n") + "\n";
    $("#drop-raw").disabled = !conn.id;
    if (response.status !== 200 || !response.body) {
      rawAppend(Object.assign(document.createElement("span"), { className: "conn", textContent: `── HTTP ${response.status}: no stream, fetch stops (as EventSource does)` }));
      return false;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parse = rawParser(conn);
    let pending = "", lastCR = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      state.raw += value;
      pending += value;
      // Split on CRLF, CR or LF; a CR at the very end might be the first half of CRLF, so wait for more.
      let match;
      const re = /\r\n|\r|\n/g;
      let start = 0;
      while ((match = re.exec(pending))) {
        if (match[0] === "\r" && match.index === pending.length - 1) break;
        const line = pending.slice(start, match.index);
        showLine(line, match[0]); parse(line);
        start = re.lastIndex;
      }
      pending = pending.slice(start);
      void lastCR;
    }
    rawAppend(Object.assign(document.createElement("span"), { className: "conn", textContent: `── the server ended fetch #${conn.n}` }));
    return true;
  };
  (async () => {
    while (!conn.closed) {
      let again = false;
      try { again = await once(); } catch (error) {
        if (conn.closed) break;
        rawAppend(Object.assign(document.createElement("span"), { className: "conn", textContent: `── fetch error: ${error.message}` }));
        again = true;
      }
      if (!again || conn.closed) break;
      rawAppend(Object.assign(document.createElement("span"), { className: "conn", textContent: `── reconnecting in ${conn.retry} ms, like EventSource` }));
      await new Promise((r) => setTimeout(r, conn.retry));
    }
    $("#drop-raw").disabled = true;
  })();
}

// ---- EventSource view ----------------------------------------------------------------------------------------
function recordState(reason) {
  if (!es) return;
  const rs = es.readyState;
  const last = state.states.at(-1);
  if (last && last.readyState === rs) return;
  state.states.push({ readyState: rs, reason, at: Date.now() });
  $("#ready").textContent = READY[rs];
  logLine($("#states"), `${new Date().toLocaleTimeString()}  ${READY[rs]}  (${reason})`);
  if (rs === 2) {
    $("#drop-es").disabled = true; clearInterval(esTimer);
    if (reason === "error event" || reason === "polled") setMessage("Closed by the browser: the server's answer was not a stream it may keep or reconnect to (see the raw view)");
  }
}

function startES() {
  const source = (es = openEventSource(url(label + "-es")));
  let opened = 0;
  const types = new Set(["message"]);
  const onEvent = (e) => {
    state.esEvents.push({ type: e.type, data: e.data, lastEventId: e.lastEventId });
    $("#count").textContent = state.esEvents.length;
    $("#lastid").textContent = e.lastEventId || "(empty)";
    const row = document.createElement("div"); row.className = "ev";
    row.append(Object.assign(document.createElement("b"), { textContent: e.type }), `  id ${JSON.stringify(e.lastEventId)}\n`,
      Object.assign(document.createElement("span"), { textContent: e.data === "" ? "(empty data)" : e.data }));
    $("#parsed").append(row);
    $("#parsed").scrollTop = $("#parsed").scrollHeight;
    compare();
  };
  const listen = (t) => { if (!types.has(t)) { types.add(t); source.addEventListener(t, onEvent); } };
  source.addEventListener("message", onEvent);
  // The server could not place the Last-Event-ID it was sent (docs/reconnect.md): say so, in the log of events.
  source.addEventListener("cuecast-reset", (e) => {
    let gap = {};
    try { gap = JSON.parse(e.data); } catch {}
    const why = gap.reason === "expired" ? "is older than what the server keeps: events were missed" : "is unknown to this stream";
    const from = gap.replay === "start" ? "the stream starts again from the beginning" : gap.oldestId ? `replaying from id ${gap.oldestId}` : "nothing kept to replay";
    $("#parsed").append(Object.assign(document.createElement("div"), { className: "note gap", textContent: `── cuecast-reset: Last-Event-ID ${gap.lastEventId} ${why}; ${from}` }));
  });
  const scenarioTypes = state.eventTypes?.[$("#target").value] || [];
  scenarioTypes.forEach(listen);
  // Channels and tours can use any name: listen for each name the raw view sees.
  state.listen = listen;
  source.addEventListener("open", () => {
    opened += 1;
    if (opened > 1) {
      state.reconnects += 1; $("#reconnects").textContent = state.reconnects;
      const note = Object.assign(document.createElement("div"), { className: "note", textContent: `── reconnected (#${state.reconnects}), sent Last-Event-ID: ${state.esEvents.at(-1)?.lastEventId ?? ""}` });
      $("#parsed").append(note);
    }
    recordState("open event"); $("#drop-es").disabled = false;
    setMessage(opened > 1 ? `Reconnected to ${url(label)}, resuming after Last-Event-ID ${state.esEvents.at(-1)?.lastEventId ?? "(none)"}`
      : `Open: streaming ${url(label)}`);
  });
  source.addEventListener("error", () => recordState("error event"));
  recordState("new EventSource");
  esTimer = setInterval(() => recordState("polled"), 100);
}

function compare() {
  // Every event type the raw parser sees gets a listener, so named events are not missed.
  for (const ev of state.rawEvents) state.listen?.(ev.type);
  const byId = new Map();
  for (const ev of state.rawEvents) if (ev.lastEventId) byId.set(ev.lastEventId + "\u0000" + ev.type + "\u0000" + ev.data, ev);
  let same = 0;
  state.esEvents.forEach((ev, i) => {
    const r = state.rawEvents[i];
    if (r && r.type === ev.type && r.data === ev.data && r.lastEventId === ev.lastEventId) same += 1;
    else if (byId.has(ev.lastEventId + "\u0000" + ev.type + "\u0000" + ev.data)) same += 1;
  });
  state.agree = same;
  $("#agree").textContent = `${same} of ${state.esEvents.length} match (raw parsed ${state.rawEvents.length})`;
}

function stop(reason) {
  if (es) { es.close(); recordState(reason); clearInterval(esTimer); }
  if (raw) { raw.closed = true; raw.controller.abort(); }
  $("#close").disabled = true; $("#drop-es").disabled = true; $("#drop-raw").disabled = true;
}

async function connect() {
  stop("reconnect by hand");
  for (const sel of ["#raw", "#parsed", "#states", "#headers"]) $(sel).replaceChildren();
  Object.assign(state, { raw: "", rawEvents: [], esEvents: [], states: [], headers: {}, responses: [], reconnects: 0, rawConnections: 0, connection: null, agree: 0 });
  for (const id of ["#reconnects", "#count", "#rawconns"]) $(id).textContent = "0";
  $("#agree").textContent = "–"; $("#lastid").textContent = "–";
  setMessage(`Connecting to ${url(label)}`);
  startRaw();
  startES();
  $("#close").disabled = false;
}

async function drop(path, what) {
  try {
    const r = await publish(path);
    setMessage(r.ok ? `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}` : `${what}: refused. ${r.message}`);
    $("#message").classList.toggle("refusal", !r.ok);
  } catch (error) { setMessage(`${what} failed: ${error.message}`); }
}

// The fetch holds a connection too: give it back when the page is left, as cuecast.js does for EventSources.
addEventListener("pagehide", () => stop("page left"));

$("#form").addEventListener("submit", (e) => { e.preventDefault(); connect(); });
$("#target").addEventListener("change", syncFields);
// A new speed (or history) takes a new connection: reconnect at once if one is open.
for (const id of ["#speed", "#history", ...faultNames.map((name) => `#fault-${name}`)]) $(id).addEventListener("change", () => { if (!$("#close").disabled) connect(); });
$("#close").addEventListener("click", () => { stop("close() called"); setMessage("Closed: EventSource.close() and the fetch aborted."); });
$("#drop-es").addEventListener("click", () => drop(`/api/connections/drop?client=${label}-es`, "Asked the server to drop the EventSource's connection"));
$("#drop-raw").addEventListener("click", () => raw?.id && drop(`/api/connections/${raw.id}/drop`, `Asked the server to drop fetch connection ${raw.id}`));

await loadTargets();
try {
  const { scenarios } = await fetch("/api/scenarios").then((r) => r.json());
  state.eventTypes = Object.fromEntries(scenarios.map((s) => [s.stream, s.eventTypes]));
} catch {}
if (params.get("autoconnect") !== "0") connect();
