// Shared helpers for the Cuecast pages: page chrome, stream URLs, and a small EventSource wrapper.

export const params = new URLSearchParams(location.search);

/** Inserts the top navigation bar. */
export function chrome() {
  const header = document.createElement("header");
  header.className = "top";
  header.innerHTML = `<a class="brand" href="index.html">Cuecast</a>
    <nav aria-label="Pages"><a href="index.html">Streams</a><a href="generate.html">Channels &amp; generate</a><a href="inspector.html">Inspector</a><a href="conformance.html">Conformance lab</a><a href="dashboard.html">This server</a></nav>`;
  document.body.prepend(header);
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
  const source = new EventSource(url);
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
