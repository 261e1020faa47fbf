// Shared helpers for the Cuecast pages: page chrome, stream URLs, and a small EventSource wrapper.

export const params = new URLSearchParams(location.search);

// ---- The publish token ----------------------------------------------------------------------------------------
// A server that listens beyond loopback (a workshop on a LAN) needs its --publish-token to publish, fire triggers or
// drop connections. The teacher gives their browser the token once, by opening any page with ?token=SECRET (or on the
// Generate page's field); it is kept in this browser's localStorage for this server's origin, taken out of the
// address bar at once (so it is not on the projector or in a copied link), and sent by every page's buttons.
// Students' browsers never get it: they stream, and a button they press gets the server's 401, explained.

const TOKEN_KEY = "cuecast.publishToken";

/** The publish token this browser keeps for this server, or "". */
export function publishToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; }
}

/** Keeps `token` for every page of this server ("" forgets it). */
export function setPublishToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token); else localStorage.removeItem(TOKEN_KEY);
  } catch {}
  document.dispatchEvent(new CustomEvent("cuecast:token"));
}

if (params.has("token")) {
  setPublishToken(params.get("token").trim());
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
}

/**
 * A publishing request (generateEvent, a trigger, a drop): `fetch` with the kept token, if any, as
 * `Authorization: Bearer`. Resolves to { ok, status, body, message }: `message` says, for a refusal, what the
 * server said and what to do.
 */
export async function publish(path, { method = "POST", headers = {}, body } = {}) {
  const token = publishToken();
  const sent = token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
  const response = await fetch(path, { method, headers: sent, body });
  const text = await response.text();
  const json = parseJSON(text);
  return { ok: response.ok, status: response.status, statusText: response.statusText, body: json ?? text, message: response.ok ? "" : refusal(response.status, json, token) };
}

/** What to tell the person who pressed a button the server refused. */
function refusal(status, json, token) {
  const said = json?.error?.message || `HTTP ${status}`;
  if (status === 401) {
    return token
      ? `Refused (401): the publish token this browser keeps is not the server's. Open this page with ?token=… and the right token (the one the server was started with, --publish-token) to replace it.`
      : `Refused (401): this server needs its publish token to do that. If you run it, open this page once with ?token=… (the value of --publish-token): this browser keeps it and every page's buttons send it. ${said}`;
  }
  return `Refused (${status}): ${said}`;
}

// ---- Streams close when the page is left --------------------------------------------------------------------------
// Chromium keeps a left page's EventSource open for about 25 s (FIELD-NOTES): over HTTP/1.1 it holds one of the six
// connections a browser allows per server, so the next page (the six-connection lesson) would find one fewer. Every
// EventSource a page opens is closed on `pagehide`.
const sources = new Set();

/** Opens an EventSource that is closed when the page is left. */
export function openEventSource(url, options) {
  const source = new EventSource(url, options);
  sources.add(source);
  return source;
}

addEventListener("pagehide", () => { for (const source of sources) source.close(); sources.clear(); });

/** Inserts the top navigation bar. */
export function chrome() {
  const header = document.createElement("header");
  header.className = "top";
  header.innerHTML = `<a class="brand" href="index.html">Cuecast</a>
    <nav aria-label="Pages"><a href="index.html">Streams</a><a href="generate.html">Channels &amp; generate</a><a href="inspector.html">Inspector</a><a href="conformance.html">Conformance lab</a><a href="dashboard.html">This server</a></nav>
    <span id="token-state" class="token-state" hidden>publish token kept <button type="button" class="linkish" id="forget-token">forget</button></span>`;
  document.body.prepend(header);
  const state = header.querySelector("#token-state");
  const show = () => { state.hidden = !publishToken(); };
  header.querySelector("#forget-token").addEventListener("click", () => setPublishToken(""));
  document.addEventListener("cuecast:token", show);
  show();
}

/** The stream path for a scenario, passing speed, seed and history through from this page's own query. */
export function streamURL(name, extra = {}) {
  const q = new URLSearchParams();
  for (const key of ["speed", "seed", "history"]) if (params.has(key)) q.set(key, params.get(key));
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return `/streams/${encodeURIComponent(name)}${s ? "?" + s : ""}`;
}

const STATES = ["connecting", "open", "closed"];

/**
 * Opens an EventSource and reports everything to the page.
 * options: types (event names to listen for, plus "message"), onEvent(event), onState(name),
 * onEnd(reason), stopOnSentinel (default true: `id: -1` closes the source).
 * Test hook: window.cuecast = { events: [...], state, closedBy }.
 */
export function connect(url, { types = [], onEvent = () => {}, onState = () => {}, onEnd = () => {}, stopOnSentinel = true } = {}) {
  const source = openEventSource(url);
  const hook = (window.cuecast = { url, events: [], state: "connecting", closedBy: null, errors: 0 });
  let last = -1;
  const report = () => {
    const name = STATES[source.readyState];
    if (name !== last) { last = name; hook.state = name; onState(name); }
  };
  const end = (reason) => {
    source.close();
    hook.closedBy = reason;
    report();
    onEnd(reason);
  };
  const handle = (event) => {
    hook.events.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
    if (stopOnSentinel && event.lastEventId === "-1") { end("sentinel"); return; }
    onEvent(event);
    report();
  };
  const listening = new Set(["message", ...types]);
  for (const type of listening) source.addEventListener(type, handle);
  source.addEventListener("open", report);
  source.addEventListener("error", () => { hook.errors += 1; report(); });
  report();
  const listen = (type) => { if (!listening.has(type)) { listening.add(type); source.addEventListener(type, handle); } };
  return { source, listen, close: (reason = "stop") => { if (source.readyState !== 2 || !hook.closedBy) end(reason); } };
}

/** Wires a status badge (#state) and a Stop button (#stop) to a connection made by `start`. */
export function controls(start, { stateEl = document.querySelector("#state"), stopEl = document.querySelector("#stop"), startEl = document.querySelector("#start") } = {}) {
  let conn = null;
  const setState = (name, text) => {
    if (!stateEl) return;
    stateEl.dataset.state = name;
    stateEl.textContent = text || name;
  };
  const begin = () => {
    if (conn) conn.close();
    conn = start({
      onState: (name) => {
        setState(name);
        if (stopEl) stopEl.disabled = name === "closed";
        if (startEl) startEl.disabled = name !== "closed";
      },
      onEnd: (reason) => setState("ended", { sentinel: "closed: the stream sent id -1 (the end)", done: "closed: [DONE]", stop: "closed: stopped" }[reason] || `closed: ${reason}`),
    });
  };
  stopEl?.addEventListener("click", () => conn?.close());
  startEl?.addEventListener("click", begin);
  begin();
  return { current: () => conn, restart: begin };
}

export function parseJSON(text) {
  try { return JSON.parse(text); } catch { return null; }
}

/** Appends a line to a log element, newest last, keeping at most `max` lines. */
export function logLine(el, text, max = 200) {
  const div = document.createElement("div");
  div.textContent = text;
  el.append(div);
  while (el.childElementCount > max) el.firstElementChild.remove();
  el.scrollTop = el.scrollHeight;
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}
