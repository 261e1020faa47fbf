// The conformance lab: runs every case with the browser's own EventSource and asks the server to grade it, and shows
// the published matrix of other clients (conformance-matrix.json, written by scripts/conformance-matrix) beside it.
// Test hook: window.conformance = { done, results: [{ name, verdict, problems, got }], passed, run, total, matrix }.
import { chrome, params, el } from "./cuecast.js";

chrome();
const $ = (s) => document.querySelector(s);
/** Cases at once. Over HTTP/1.1 a page has six connections per host; more wait their turn in the browser's queue,
 *  and a case between connections (waiting to reconnect) holds none. */
const PARALLEL = 8;
/** A case that has not closed by then (plus the silence it asks for) is stopped: a source that never stops. */
const CASE_TIMEOUT_MS = 30000;

const show = (outcome) => {
  const cut = (s) => (s.length > 120 ? `${s.slice(0, 60)}…${s.slice(-20)} (${s.length} characters)` : s);
  const events = outcome.events.map((e) => `${e.type} ${JSON.stringify(cut(e.data))} id ${JSON.stringify(e.lastEventId)}`);
  const shown = events.length > 6 ? [...events.slice(0, 5), `… ${events.length - 5} more`] : events;
  return `${shown.join("\n") || "(no event)"}\nrequests: ${outcome.requests.map((r) => (r === null ? "none" : JSON.stringify(r))).join(", ")}`;
};

/** Opens the case's stream and collects what the EventSource dispatches until it closes for good. */
function runCase(c, run) {
  return new Promise((resolve) => {
    const events = [];
    const source = new EventSource(`/conformance/${encodeURIComponent(c.name)}?run=${run}`);
    const types = new Set(["message", ...c.expected.events.map((e) => e.type), ...(c.browsers?.events || []).map((e) => e.type)]);
    for (const type of types) source.addEventListener(type, (e) => events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId }));
    const finish = () => { clearTimeout(timer); source.close(); resolve(events); };
    const timer = setTimeout(finish, CASE_TIMEOUT_MS + (c.idleSeconds || 0) * 1000);
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
  });
}

async function grade(c) {
  // A page's EventSource has none of the optional capabilities (custom headers, POST, read timeout, …).
  if (c.capability) return { case: c.name, verdict: "not supported", problems: [], got: null };
  const run = `page-${crypto.randomUUID().slice(0, 8)}`;
  const events = await runCase(c, run);
  const response = await fetch(`/api/conformance/${encodeURIComponent(c.name)}/grade?run=${run}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ events }) });
  return response.json();
}

/** The published matrix, if this server has one: { generated, clients: [{ name, version, score, run, passed, verdicts }] }. */
async function loadMatrix() {
  try {
    const response = await fetch("conformance-matrix.json");
    return response.ok ? await response.json() : null;
  } catch { return null; }
}

function showMatrix(matrix, state) {
  if (!matrix) return;
  const rows = matrix.clients.map((client) => el("tr", {},
    el("td", { textContent: `${client.name} ${client.version || ""}`.trim() }),
    el("td", { className: "num", textContent: `${client.passed}/${client.run}` }),
    el("td", { className: "num", textContent: String(client.notSupported) }),
    el("td", { className: "failing", textContent: Object.entries(client.verdicts).filter(([, v]) => v === "fail").map(([n]) => n).join(", ") || "none" })));
  rows.push(el("tr", { id: "this-browser" }, el("td", { textContent: "this browser (now)" }),
    el("td", { className: "num", textContent: state.done ? `${state.passed}/${state.run}` : "…" }),
    el("td", { className: "num", textContent: String(state.total - state.run) }),
    el("td", { className: "failing", textContent: state.results.filter((r) => r.verdict === "fail").map((r) => r.name).join(", ") || (state.done ? "none" : "…") })));
  $("#matrix tbody").replaceChildren(...rows);
  $("#matrix-when").textContent = `Published ${matrix.generated} by scripts/conformance-matrix (docs/conformance-matrix.md explains every failure).`;
  $("#matrix-section").hidden = false;
}

/** Which published clients fail a case, for its row. */
const othersFailing = (matrix, name) => (matrix ? matrix.clients.filter((c) => c.verdicts[name] === "fail").map((c) => c.name) : []);

async function runAll() {
  $("#again").disabled = true;
  $("#results").replaceChildren();
  const [{ cases }, matrix] = await Promise.all([fetch("/api/conformance").then((r) => r.json()), loadMatrix()]);
  const only = params.getAll("case");
  const selected = only.length ? cases.filter((c) => only.includes(c.name)) : cases;
  const state = { done: false, results: [], passed: 0, run: 0, total: selected.length, matrix: Boolean(matrix) };
  window.conformance = state;
  showMatrix(matrix, state);
  const rows = new Map(selected.map((c) => {
    const others = othersFailing(matrix, c.name);
    const row = el("tr", {}, el("td", { className: "mono", textContent: c.name }),
      el("td", { textContent: c.summary, title: c.source }, el("div", { className: "muted source", textContent: c.source })),
      el("td", { className: "mono", textContent: show(c.expected) }), el("td", { className: "mono", textContent: "…" }),
      el("td", { className: "verdict", textContent: "running" }),
      el("td", { className: "others", textContent: matrix ? (others.length ? `fail: ${others.join(", ")}` : "all pass") : "" }));
    $("#results").append(row);
    return [c.name, row];
  }));
  const queue = [...selected];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      let result;
      try { result = await grade(c); } catch (error) { result = { case: c.name, verdict: "fail", problems: [String(error)], got: { events: [], requests: [] } }; }
      state.results.push({ name: c.name, verdict: result.verdict, problems: result.problems, got: result.got });
      if (result.verdict !== "not supported") state.run += 1;
      if (result.verdict.startsWith("pass")) state.passed += 1;
      const row = rows.get(c.name);
      row.dataset.verdict = result.verdict;
      row.cells[3].textContent = result.got ? show(result.got) : `(not run: needs ${c.capability})`;
      row.cells[4].textContent = result.verdict;
      const notes = [...result.problems, ...(result.verdict.startsWith("pass (") && c.note ? [c.note] : [])];
      if (notes.length) row.cells[4].append(el("div", { className: "muted", textContent: notes.join(" ") }));
      $("#score").textContent = `${state.passed}/${state.run} passed so far…`;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const browserSide = state.results.filter((r) => r.verdict.startsWith("pass (")).length;
  const skipped = state.total - state.run;
  $("#score").textContent = `Score: ${state.passed}/${state.run} (${Math.floor((state.passed * 100) / Math.max(state.run, 1))}%)` +
    (browserSide ? `, ${browserSide} as browsers do rather than as the specification says` : "") +
    (skipped ? `; ${skipped} not supported by a page's EventSource (not run)` : "");
  state.done = true;
  showMatrix(matrix, state);
  $("#again").disabled = false;
}

$("#again").addEventListener("click", runAll);
runAll();
