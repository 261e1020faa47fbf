// The conformance lab: runs every case with the browser's own EventSource and asks the server to grade it.
// Test hook: window.conformance = { done, results: [{ name, verdict, problems, got }], passed, total }.
import { chrome, params, el } from "./cuecast.js";

chrome();
const $ = (s) => document.querySelector(s);
/** Cases at once: HTTP/1.1 gives a page six connections per host, and the grading needs one. */
const PARALLEL = 4;
/** A case that has not closed by then is stopped (a source that never stops reconnecting). */
const CASE_TIMEOUT_MS = 20000;

const show = (outcome) => {
  const events = outcome.events.map((e) => `${e.type} ${JSON.stringify(e.data)} id ${JSON.stringify(e.lastEventId)}`).join("\n") || "(no event)";
  return `${events}\nrequests: ${outcome.requests.map((r) => (r === null ? "none" : JSON.stringify(r))).join(", ")}`;
};

/** Opens the case's stream and collects what the EventSource dispatches until it closes for good. */
function runCase(c, run) {
  return new Promise((resolve) => {
    const events = [];
    const source = new EventSource(`/conformance/${encodeURIComponent(c.name)}?run=${run}`);
    const types = new Set(["message", ...c.expected.events.map((e) => e.type), ...(c.browsers?.events || []).map((e) => e.type)]);
    for (const type of types) source.addEventListener(type, (e) => events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId }));
    const finish = () => { clearTimeout(timer); source.close(); resolve(events); };
    const timer = setTimeout(finish, CASE_TIMEOUT_MS);
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
  });
}

async function grade(c) {
  const run = `page-${crypto.randomUUID().slice(0, 8)}`;
  const events = await runCase(c, run);
  const response = await fetch(`/api/conformance/${encodeURIComponent(c.name)}/grade?run=${run}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ events }) });
  return response.json();
}

async function runAll() {
  $("#again").disabled = true;
  $("#results").replaceChildren();
  const state = { done: false, results: [], passed: 0, total: 0 };
  window.conformance = state;
  const only = params.getAll("case");
  const { cases } = await (await fetch("/api/conformance")).json();
  const selected = only.length ? cases.filter((c) => only.includes(c.name)) : cases;
  state.total = selected.length;
  const rows = new Map(selected.map((c) => {
    const row = el("tr", {}, el("td", { className: "mono", textContent: c.name }), el("td", { textContent: c.summary, title: c.source }),
      el("td", { className: "mono", textContent: show(c.expected) }), el("td", { className: "mono", textContent: "…" }),
      el("td", { className: "verdict", textContent: "running" }));
    $("#results").append(row);
    return [c.name, row];
  }));
  const queue = [...selected];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      let result;
      try { result = await grade(c); } catch (error) { result = { case: c.name, verdict: "fail", problems: [String(error)], got: { events: [], requests: [] } }; }
      state.results.push({ name: c.name, verdict: result.verdict, problems: result.problems, got: result.got });
      if (result.verdict !== "fail") state.passed += 1;
      const row = rows.get(c.name);
      row.dataset.verdict = result.verdict;
      row.cells[3].textContent = show(result.got);
      row.cells[4].textContent = result.verdict;
      const notes = [...result.problems, ...(result.verdict.startsWith("pass (") && c.note ? [c.note] : [])];
      if (notes.length) row.cells[4].append(el("div", { className: "muted", textContent: notes.join(" ") }));
      $("#score").textContent = `${state.passed}/${state.total} passed so far…`;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const browserSide = state.results.filter((r) => r.verdict.startsWith("pass (")).length;
  $("#score").textContent = `Score: ${state.passed}/${state.total} (${Math.floor((state.passed * 100) / state.total)}%)` +
    (browserSide ? `, ${browserSide} as browsers do rather than as the specification says` : "");
  state.done = true;
  $("#again").disabled = false;
}

$("#again").addEventListener("click", runAll);
runAll();
