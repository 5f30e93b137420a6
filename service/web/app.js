// The editors' page: plain DOM over the public JSON API (POST /check, POST /quotes).
// No framework and no build step, so that it runs as shipped on an air-gapped server.
"use strict";

// A mark and a word for each verdict, so that no verdict is told by colour alone. A verdict
// not listed here (a newer service) is shown by its name, with a neutral mark.
const VERDICT_MARKS = {
  verified: "✓",
  paraphrase: "≈",
  misquoted: "≠",
  misattributed: "⇄",
  contradicted: "✗",
  unconfirmed: "?",
  unsupported: "∅",
};
// What an editor must look at first; the rest follows in the order the service gave. A
// finding's own severity, where the service gives one, comes before the verdict's.
const SEVERITY_RANK = { error: 0, warning: 1, note: 2 };
const VERDICT_RANK = { misquoted: 0, misattributed: 0, contradicted: 0, unsupported: 1, unconfirmed: 1 };
const rank = (f) => SEVERITY_RANK[f.severity] ?? VERDICT_RANK[f.verdict] ?? 2;
const HINTS = {
  401: "The service needs an API key: enter it under “API key” and try again.",
  413: "The article and draft are larger than the service accepts: shorten them, or ask " +
    "whoever runs the service to raise FACTCHECK_MAX_BODY_BYTES.",
  415: "The service could not read this kind of input.",
  422: "The service could not use this input: is the article (and the draft) empty?",
  429: "Too many requests: wait a moment and try again.",
  502: "The language model gave an answer the service could not use; try again.",
  503: "The language model is unavailable or busy; try again in a moment.",
  504: "The language model did not answer in time; try again, or with a shorter article.",
};

const $ = (id) => document.getElementById(id);
const state = { article: "", draft: "", findings: [], marks: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A class for the verdict and one for the severity, so that a verdict this page does not
// know is still coloured by what it asks of the editor.
function verdictClass(verdict, severity) {
  const name = (prefix, value) => prefix + String(value).replace(/[^a-z0-9-]/gi, "-").toLowerCase();
  return name("v-", verdict) + (severity ? " " + name("s-", severity) : "");
}

function verdictTag(verdict, severity) {
  const mark = VERDICT_MARKS[verdict] || "•";
  return el("span", { class: "tag " + verdictClass(verdict, severity) },
    el("span", { "aria-hidden": "true" }, mark + " "), verdict);
}

function quoted(text) {
  return "“" + text.replace(/\s+/g, " ").trim() + "”";
}

// -- talking to the service ------------------------------------------------------------

class ServiceProblem extends Error {
  constructor(status, title, detail, errors) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors || [];
  }
}

async function post(path, body) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  const key = $("key").value.trim();
  if (key) headers.authorization = "Bearer " + key;
  let response;
  try {
    response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  } catch (err) {
    throw new ServiceProblem(0, "The service could not be reached",
      "No answer from the service (" + err.message + "). Is it running?");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (err) {
    data = null;
  }
  if (!response.ok) {
    const problem = data && typeof data === "object" ? data : {};
    throw new ServiceProblem(response.status, problem.title || response.statusText || "Error",
      problem.detail || (text && !data ? text.slice(0, 300) : ""), problem.errors);
  }
  if (data === null) {
    throw new ServiceProblem(response.status, "Unreadable answer", "The service's answer was not JSON.");
  }
  return data;
}

function showProblem(problem) {
  const box = $("problem");
  box.replaceChildren();
  const status = problem.status ? problem.status + " " : "";
  box.append(el("h2", {}, "The service could not answer: " + status + problem.title));
  if (problem.detail) box.append(el("p", { class: "detail" }, problem.detail));
  if (problem.errors && problem.errors.length) {
    box.append(el("ul", {}, problem.errors.map((e) => el("li", {}, (e.pointer || "") + ": " + (e.detail || "")))));
  }
  const hint = HINTS[problem.status];
  if (hint) box.append(el("p", { class: "hint" }, hint));
  box.hidden = false;
  $("results").hidden = true;
  $("status").textContent = "";
  if (problem.status === 401) {
    $("key-box").open = true;
    $("key").focus();
  }
}

async function run(withDraft) {
  state.article = $("article").value;
  state.draft = $("draft").value;
  $("problem").hidden = true;
  $("status").textContent = "Checking…";
  const buttons = [$("check"), $("alone")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    if (withDraft) {
      const [check, quotes] = await Promise.all([
        post("check", { text: state.article, draft: state.draft }),
        post("quotes", { text: state.article }),
      ]);
      showCheck(check, quotes);
    } else {
      showReport(await post("check", { text: state.article }));
    }
  } catch (err) {
    if (err instanceof ServiceProblem) showProblem(err);
    else showProblem(new ServiceProblem(0, "Something went wrong on this page", String(err)));
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// -- results ----------------------------------------------------------------------------

function articleText(out) {
  // For HTML, offsets index the extracted text, which the answer returns.
  return out.article && typeof out.article.text === "string" ? out.article.text : state.article;
}

function resetResults() {
  for (const id of ["draft-view", "detail", "report-view", "quotes-view"]) $(id).hidden = true;
  $("problem").hidden = true;
  $("results").hidden = false;
  $("results").classList.remove("has-detail");
  state.findings = [];
  state.marks = [];
}

function countsLine(counts) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n);
  if (!entries.length) return [];
  return entries.map(([verdict, n]) => el("span", { class: "count" }, verdictTag(verdict), " " + n));
}

function showCheck(check, quotes) {
  resetResults();
  state.articleText = articleText(check);
  state.findings = check.findings || [];
  const n = state.findings.length;
  $("counts").replaceChildren(
    n + (n === 1 ? " passage checked" : " passages checked") + (n ? ": " : "."),
    ...countsLine(check.counts));
  $("draft-text").replaceChildren(...markDraft(state.draft, state.findings));
  $("draft-view").hidden = false;
  showQuotes(quotes.quotes || []);
  $("status").textContent = n + " checked. " + describeCounts(check.counts);
  const first = state.marks[0];
  if (first) first.focus();
  else $("results").focus();
}

function describeCounts(counts) {
  return Object.entries(counts || {}).filter(([, k]) => k).map(([v, k]) => k + " " + v).join(", ");
}

// The draft's text with each finding that has draft offsets as a mark. A finding inside
// another (a quotation inside a judged sentence) is nested in it; one that crosses another
// is left unmarked here and listed below.
function markDraft(draft, findings) {
  const spans = findings
    .map((f, i) => ({ i, start: f.draft_start, end: f.draft_end }))
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const root = { start: 0, end: draft.length, children: [] };
  const stack = [root];
  const unmarked = new Set(findings.map((_, i) => i));
  for (const span of spans) {
    while (stack.length > 1 && span.start >= stack[stack.length - 1].end) stack.pop();
    const parent = stack[stack.length - 1];
    if (span.end > parent.end) continue;
    const node = { ...span, children: [] };
    parent.children.push(node);
    stack.push(node);
    unmarked.delete(span.i);
  }
  const out = render(root, draft);
  const rest = [...unmarked];
  if (rest.length) {
    out.push(el("div", { class: "unplaced" },
      el("h3", {}, "Not placed in the draft"),
      el("ul", {}, rest.map((i) => el("li", {}, findingButton(i))))));
  }
  return out;
}

function render(node, draft) {
  const out = [];
  let at = node.start;
  for (const child of node.children) {
    if (child.start > at) out.push(draft.slice(at, child.start));
    out.push(markFor(child, draft));
    at = child.end;
  }
  if (at < node.end) out.push(draft.slice(at, node.end));
  return out;
}

function markFor(node, draft) {
  const f = state.findings[node.i];
  const label = f.verdict + ": " + quoted(f.text) + (f.speaker ? ", attributed to " + f.speaker : "");
  const mark = el("mark", {
    class: "finding " + verdictClass(f.verdict, f.severity),
    tabindex: "0",
    role: "button",
    "data-index": node.i,
    "data-verdict": f.verdict,
    "aria-label": label,
    "aria-controls": "detail",
    onclick: (event) => { event.stopPropagation(); select(node.i); },
    onkeydown: (event) => onMarkKey(event, node.i),
  }, render(node, draft), el("span", { class: "badge", "aria-hidden": "true" },
    (VERDICT_MARKS[f.verdict] || "•") + " " + f.verdict));
  state.marks.push(mark);
  return mark;
}

function onMarkKey(event, i) {
  const at = state.marks.indexOf(event.currentTarget);
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    event.stopPropagation();
    select(i);
  } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
    event.preventDefault();
    event.stopPropagation();
    if (at + 1 < state.marks.length) state.marks[at + 1].focus();
  } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
    event.preventDefault();
    event.stopPropagation();
    if (at > 0) state.marks[at - 1].focus();
  }
}

function findingButton(i) {
  const f = state.findings[i];
  return el("button", { type: "button", class: "link", "data-index": i, onclick: () => select(i) },
    verdictTag(f.verdict, f.severity), " ", quoted(f.text));
}

function select(i) {
  const f = state.findings[i];
  for (const mark of state.marks) {
    mark.setAttribute("aria-pressed", String(Number(mark.dataset.index) === i));
  }
  showDetail(f, state.articleText);
}

function showDetail(f, text, unchecked = false) {
  const body = $("detail-body");
  body.replaceChildren();
  body.append(el("p", { class: "verdict-line" }, unchecked ? "" : verdictTag(f.verdict, f.severity), unchecked ? "" : " ", quoted(f.text)));
  if (unchecked) body.append(el("p", {}, "The article's own sentence, to check against other sources."));
  else if (f.message) body.append(el("p", {}, f.message));
  const who = el("dl", { class: "who" });
  if (f.speaker !== undefined) who.append(el("dt", {}, "Attributed to"), el("dd", {}, f.speaker || "nobody named"));
  if (f.article_speaker) who.append(el("dt", {}, "In the article, said by"), el("dd", { class: "article-speaker" }, f.article_speaker));
  if (typeof f.score === "number" && f.method && f.method !== "exact" && f.method !== "none") {
    who.append(el("dt", {}, "Similarity"), el("dd", {}, Math.round(f.score) + "%"));
  }
  if (who.childNodes.length) body.append(who);
  if (Array.isArray(f.diff) && f.diff.length) body.append(diffView(f.diff));
  const evidence = (f.evidence || []).filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end));
  if (evidence.length) {
    const where = evidence.map((e) => "characters " + e.start + "–" + e.end).join(", ");
    body.append(el("h3", {}, "In the article (" + where + ")"));
    body.append(passage(text, evidence));
  } else {
    body.append(el("p", { class: "no-evidence" }, "No passage of the article supports it."));
  }
  const detail = $("detail");
  detail.hidden = false;
  $("results").classList.add("has-detail");
  detail.focus();
  const mark = body.querySelector("mark.evidence");
  if (mark) mark.scrollIntoView({ block: "nearest" });
}

function diffView(diff) {
  const line = el("p", { class: "diff" });
  for (const d of diff) {
    if (line.childNodes.length) line.append(" ");
    if (d.op === "equal") line.append(d.article);
    if (d.op === "delete" || d.op === "replace") {
      line.append(el("del", {}, el("span", { class: "sr-only" }, "article has: "), d.article));
    }
    if (d.op === "replace") line.append(" ");
    if (d.op === "insert" || d.op === "replace") {
      line.append(el("ins", {}, el("span", { class: "sr-only" }, "draft has: "), d.draft));
    }
  }
  return el("div", {}, el("h3", {}, "Word by word (article struck through, draft underlined)"), line);
}

// The article's paragraphs around the evidence, the evidence marked at its offsets.
function passage(text, spans) {
  const before = text.lastIndexOf("\n\n", spans[0].start);
  const lo = before < 0 ? 0 : before + 2;
  const lastEnd = Math.max(...spans.map((e) => e.end));
  const next = text.indexOf("\n\n", lastEnd);
  const hi = next < 0 ? text.length : next;
  const box = el("blockquote", { class: "passage" });
  let at = lo;
  for (const e of [...spans].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue;
    box.append(text.slice(at, e.start));
    box.append(el("mark", { class: "evidence", "data-start": e.start, "data-end": e.end }, text.slice(e.start, e.end)));
    at = e.end;
  }
  box.append(text.slice(at, hi));
  return box;
}

function showQuotes(quotes) {
  const body = $("quotes-body");
  const list = quotes.filter((q) => q.kind !== "nested");
  if (!list.length) {
    body.replaceChildren(el("p", {}, "No quotation in the article."));
  } else {
    const confidence = (q) => {
      const key = Object.keys(q).find((k) => /confidence/i.test(k) && typeof q[k] === "number");
      return key ? Math.round(q[key] * 100) + "%" : "";  // a probability, 0 to 1
    };
    const hasConfidence = list.some((q) => confidence(q));
    body.replaceChildren(el("table", { class: "quotes" },
      el("caption", {}, list.length + (list.length === 1 ? " quotation" : " quotations") + " in the article"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Speaker"),
        el("th", { scope: "col" }, "Quotation"),
        el("th", { scope: "col" }, "Characters"),
        hasConfidence && el("th", { scope: "col" }, "Confidence"))),
      el("tbody", {}, list.map((q) => el("tr", {},
        el("td", {}, q.speaker ? q.speaker + (q.speaker_title ? ", " + q.speaker_title : "") : "speaker unknown"),
        el("td", {}, quoted(q.text), q.cue ? el("span", { class: "cue" }, " (" + q.cue.text + ")") : ""),
        el("td", { class: "offsets" }, q.start + "–" + q.end),
        hasConfidence && el("td", {}, confidence(q)))))));
  }
  $("quotes-view").hidden = false;
}

// Lists of checked items in a report, by field; any other list of findings the service
// returns is shown too, under its field's name.
const REPORT_SECTIONS = [
  ["summary_quotes", "Quotations in the summary"],
  ["claims", "Claims"],
  ["statements", "Statements"],
];

function isFindingList(value) {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v && typeof v === "object" && "verdict" in v);
}

// The model that answered, and the one asked for where the provider answered as another.
function modelName(engine) {
  const asked = engine.requested_model;
  const answered = engine.model || "";
  return asked && asked !== answered ? answered + " (asked for " + asked + ")" : answered;
}

function showReport(report) {
  resetResults();
  state.articleText = articleText(report);
  const offline = report.engine && report.engine.engine === "offline";
  $("engine").textContent = report.engine
    ? (offline ? "Offline engine, no language model. " : "Language model " + modelName(report.engine) + ". ") +
      (report.engine.notice || "")
    : "";
  const body = $("report-body");
  body.replaceChildren();
  body.append(el("h3", {}, "Summary"), el("p", { class: "summary" }, report.summary || "(none)"));
  if (Array.isArray(report.key_points) && report.key_points.length) {
    body.append(el("h3", {}, "Key points"), el("ul", {}, report.key_points.map((k) => el("li", {}, k))));
  }
  const sections = REPORT_SECTIONS.slice();
  for (const [key, value] of Object.entries(report)) {
    if (isFindingList(value) && !sections.some(([k]) => k === key)) sections.push([key, key.replace(/_/g, " ")]);
  }
  for (const [key, title] of sections) {
    const list = report[key];
    if (!Array.isArray(list) || !list.length) continue;
    // The offline engine's summary, quotations and claims are the article's own: checked
    // against the article they prove nothing, so only the claims are listed, to check.
    if (offline && key !== "claims") continue;
    // The offline engine's claims are the article's own sentences: listed to check,
    // without a verdict, since nothing independent was checked.
    const unchecked = offline && key === "claims";
    const base = state.findings.length;
    state.findings.push(...list);
    const order = list.map((f, j) => j).sort((a, b) => rank(list[a]) - rank(list[b]));
    body.append(el("h3", {}, unchecked ? "Claims to check (the article's own sentences)" : title + " (" + list.length + ")"));
    body.append(el("ul", { class: "findings" }, order.map((j) => {
      const f = list[j];
      const i = base + j;
      return el("li", {}, el("button", { type: "button", class: "link", "data-index": i, onclick: () => showDetail(f, state.articleText, unchecked) },
        unchecked ? "" : verdictTag(f.verdict, f.severity), unchecked ? "" : " ", quoted(f.text),
        f.speaker ? " — " + f.speaker : ""));
    })));
  }
  $("report-view").hidden = false;
  showQuotes(report.quotes || []);
  $("status").textContent = "Report ready.";
  $("results").focus();
}

// -- input: paste, drop a file, open a file -----------------------------------------------

function acceptFiles(textarea, input) {
  const load = async (file) => {
    if (file) textarea.value = await file.text();
  };
  input.addEventListener("change", () => load(input.files[0]));
  textarea.addEventListener("dragover", (event) => {
    event.preventDefault();
    textarea.classList.add("dropping");
  });
  textarea.addEventListener("dragleave", () => textarea.classList.remove("dropping"));
  textarea.addEventListener("drop", (event) => {
    event.preventDefault();
    textarea.classList.remove("dropping");
    load(event.dataTransfer.files[0]);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  acceptFiles($("article"), $("article-file"));
  acceptFiles($("draft"), $("draft-file"));
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    run($("draft").value.trim() !== "");
  });
  $("alone").addEventListener("click", () => run(false));
});
