// The six-connection lesson: N EventSources to one origin, each on its own URL, with their readyState, timings,
// event counts and protocol. Over HTTP/1.1 the browser opens at most six connections per host; over HTTP/2 one
// connection carries every stream.
import { chrome, params, el, openEventSource } from "./cuecast.js";

chrome();
const $ = (s) => document.querySelector(s);
const STATES = ["connecting", "open", "closed"];
const LABELS = ["CONNECTING", "OPEN", "CLOSED"];
const MAX = 30;

const asked = Math.round(Number(params.get("n") ?? 8));
const n = Number.isFinite(asked) ? Math.min(MAX, Math.max(1, asked)) : 8;
const other = otherOrigin(params.get("other"));

/** The origin given with ?other=, if it is an http(s) URL. */
function otherOrigin(text) {
  if (!text) return null;
  try {
    const u = new URL(text.includes("://") ? text : `https://${text}`);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch { return null; }
}

/** The protocol this page itself came over, from its navigation entry: there from the start, unlike a stream's. */
function pageProtocol() {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav?.nextHopProtocol || "";
}

// State, also read by the browser tests.
const lesson = (window.lesson = { n, round: 0, started: 0, pageProtocol: pageProtocol(), scheme: location.protocol, streams: [], elsewhere: null });
let rows = [];

/** Each stream on its own URL (the label also names it in the server's GET /api/connections). */
function clientLabel(i) {
  return lesson.round > 1 ? `lesson-${i}-round${lesson.round}` : `lesson-${i}`;
}

/**
 * nextHopProtocol from this stream's resource timing entry: null while there is none. Chromium makes the entry
 * only when the stream ends (closed by the page or by the server); one closed before it connected has "".
 */
function entryProtocol(url) {
  const href = new URL(url, location.href).href;
  const entry = performance.getEntriesByName(href, "resource").at(-1);
  return entry ? entry.nextHopProtocol : null;
}

function protocolText(info) {
  if (info.entryProtocol) return info.entryProtocol;
  if (info.entryProtocol === "") return "none (never connected)";
  return info.state === "open" ? `${lesson.pageProtocol || "?"} (page)` : "–";
}

function open(i) {
  const client = clientLabel(i);
  const url = `/streams/clock?client=${client}`;
  const info = { i, url, client, state: "connecting", openedAt: null, firstEventAt: null, events: 0, entryProtocol: null };
  const source = openEventSource(url);
  const since = () => Math.round(performance.now() - lesson.started);
  const update = () => {
    info.state = STATES[source.readyState];
    render(info);
  };
  source.addEventListener("open", () => { if (info.openedAt === null) info.openedAt = since(); update(); });
  source.addEventListener("message", () => {
    if (info.firstEventAt === null) info.firstEventAt = since();
    info.events += 1;
    update();
  });
  source.addEventListener("error", update);
  const close = () => { source.close(); update(); };
  return { info, source, close, row: makeRow(info, close) };
}

function makeRow(info, close) {
  const cell = (className = "") => el("td", { className });
  const tr = el("tr");
  const button = el("button", { type: "button", className: "secondary", textContent: "Close" });
  button.setAttribute("aria-label", `Close stream ${info.i}`);
  button.addEventListener("click", close);
  tr.append(el("td", { textContent: String(info.i) }), el("td", {}, el("code", { textContent: info.url })),
    el("td", {}, el("span", { className: "status" })), cell("num opened"), cell("num first"), cell("num events"), cell("protocol"),
    el("td", {}, button));
  tr.dataset.i = info.i;
  $("#streams").append(tr);
  return tr;
}

function render(info) {
  const conn = rows[info.i - 1];
  if (!conn) return;
  const tr = conn.row;
  tr.dataset.state = info.state;
  const badge = tr.querySelector(".status");
  badge.dataset.state = info.state;
  badge.textContent = `${LABELS[STATES.indexOf(info.state)]} (${STATES.indexOf(info.state)})`;
  tr.querySelector(".opened").textContent = info.openedAt === null ? "–" : `${info.openedAt} ms`;
  tr.querySelector(".first").textContent = info.firstEventAt === null ? "–" : `${info.firstEventAt} ms`;
  tr.querySelector(".events").textContent = String(info.events);
  info.entryProtocol = entryProtocol(info.url);
  const protocol = tr.querySelector(".protocol");
  protocol.textContent = protocolText(info);
  protocol.classList.toggle("muted", !info.entryProtocol);
  tr.querySelector("button").disabled = info.state === "closed";
  summarize();
}

function summarize() {
  const count = (s) => rows.filter((r) => r.info.state === s).length;
  const [o, c, x] = [count("open"), count("connecting"), count("closed")];
  $("#count-open").textContent = o;
  $("#count-connecting").textContent = c;
  $("#count-closed").textContent = x;
  const proto = lesson.pageProtocol;
  let text;
  const held = elsewhereHeld();
  if (proto === "h2" || proto === "h3") {
    const name = proto === "h2" ? "HTTP/2" : "HTTP/3";
    text = c ? `${name}: ${o} open, ${c} still connecting.` : `${name}: all ${o} open streams share one connection.`;
  } else if (c && o + held >= 6) {
    text = held
      ? `HTTP/1.1: ${o} open, ${c} waiting for a free connection: six per host, and ${held} of them are held by this browser's other pages or tabs.`
      : `HTTP/1.1: ${o} open, ${c} waiting for a free connection (six per host).`;
  } else {
    text = `${proto === "http/1.1" ? "HTTP/1.1" : proto || "Protocol unknown"}: ${o} open, ${c} connecting.`;
  }
  if (x) text += ` ${x} closed.`;
  $("#verdict").textContent = text;
  $("#count-elsewhere").textContent = lesson.elsewhere === null ? "–" : lesson.elsewhere.busy ? "all?" : String(held);
  $("#close-one").disabled = $("#close-all").disabled = o + c === 0;
}

/** HTTP/1.1 streams this browser's other pages hold on this server (0 over HTTP/2, where they do not take a place). */
function elsewhereHeld() {
  if (!lesson.elsewhere || lesson.elsewhere.busy || lesson.pageProtocol === "h2" || lesson.pageProtocol === "h3") return 0;
  return lesson.elsewhere.http1;
}

/**
 * Asks the server how many streams this browser's address has open, before this page opens its own: those belong
 * to other tabs (or a page just left that did not close its stream), and over HTTP/1.1 each holds one of the six
 * connections, so fewer of this page's streams can open. If every connection is busy, the question itself waits:
 * after two seconds the page says so and starts anyway.
 */
async function askElsewhere() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const mine = await (await fetch("/api/connections/mine", { signal: controller.signal, cache: "no-store" })).json();
    lesson.elsewhere = { streams: mine.streams, http1: mine.http1, http2: mine.http2, paths: mine.paths, busy: false };
  } catch {
    lesson.elsewhere = controller.signal.aborted ? { streams: 0, http1: 6, http2: 0, paths: [], busy: true } : null;
  } finally { clearTimeout(timer); }
  const note = $("#elsewhere");
  const e = lesson.elsewhere;
  if (!e) { note.textContent = ""; return; }
  const h2 = lesson.pageProtocol === "h2" || lesson.pageProtocol === "h3";
  note.textContent = e.busy
    ? "The server did not answer within 2 s: every connection this browser may open to it seems busy, held by streams of other tabs or pages. Close them, then Reopen."
    : e.streams === 0 ? "No other stream from your address (another tab, another page) is open on this server: all six HTTP/1.1 connections are free for this page."
    : `${e.streams} stream(s) from your address were already open on this server (${[...new Set(e.paths)].join(", ")}), in other tabs or pages${h2 ? ": over HTTP/2 they take no place from this page." : `: over HTTP/1.1 each holds one of the six connections, so at most ${Math.max(0, 6 - e.http1)} of this page's streams can open until they close.`}`;
}

async function start() {
  const reopening = rows.length > 0;
  for (const r of rows) r.close();
  // A stream closed here reaches the server a moment later: let it, or it would count as another page's.
  if (reopening) await new Promise((resolve) => setTimeout(resolve, 300));
  await askElsewhere();
  rows = [];
  $("#streams").replaceChildren();
  lesson.round += 1;
  lesson.started = lesson.round === 1 ? 0 : performance.now();
  for (let i = 1; i <= n; i++) rows.push(open(i));
  lesson.streams = rows.map((r) => r.info);
  for (const r of rows) render(r.info);
}

// The resource timing entry of an EventSource appears (if at all) when its response ends: refresh that column.
if ("PerformanceObserver" in window) {
  new PerformanceObserver(() => { for (const r of rows) render(r.info); }).observe({ type: "resource", buffered: true });
}

$("#close-one").addEventListener("click", () => {
  // The oldest open stream, so its connection goes to the first one waiting.
  const conn = rows.find((r) => r.info.state === "open") || rows.find((r) => r.info.state === "connecting");
  conn?.close();
});
$("#close-all").addEventListener("click", () => { for (const r of rows) r.close(); });
$("#reopen").addEventListener("click", () => start());
// Leaving the page: free the connections before the next request goes out (beforeunload comes before it;
// pagehide comes only after the next page has answered), or over HTTP/1.1 that request would wait for one.
addEventListener("beforeunload", () => { for (const r of rows) r.source.close(); });

$("#n").value = n;
$("#n-text").textContent = n;
if (other) $("#other").value = other;
$("#page-protocol").textContent = `${lesson.pageProtocol || "?"} (${location.protocol.replace(":", "")})`;
const otherLink = $("#other-link");
if (other && other !== location.origin) {
  const q = new URLSearchParams({ n, other: location.origin });
  otherLink.append("Here it is: ", el("a", { href: `${other}/connections.html?${q}`, textContent: `${other}/connections.html` }), ".");
} else {
  otherLink.textContent = "Give its address below (for example https://localhost:8443) for a link to it.";
}
start();
