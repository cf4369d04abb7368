/* global window, document, location, history, sessionStorage, fetch */
/* global setTimeout, clearTimeout, setInterval, URLSearchParams, AbortSignal */

// The Headway dashboard: polls the copilot's JSON API and renders it. Everything shown comes from
// the API, and parts of it are untrusted (log lines, LLM prose): it is only ever set as text
// (textContent, attributes), never parsed as HTML, and the page's CSP forbids inline script.

const TOKEN_KEY = 'headway.api-token';
const DEFAULT_REFRESH_S = 10;
const HISTORY_MINUTES = 60;
const FETCH_TIMEOUT_MS = 8000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const SERVICE_ORDER = ['history', 'matching', 'frontend', 'persistence', 'workers'];

// ---- Token --------------------------------------------------------------------------------

/**
 * A token arrives in the fragment (`/#token=…`), which browsers never send to a server. It is kept
 * for this tab only and removed from the address bar, so it is not bookmarked or shared by copying
 * the URL.
 */
function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (!params.has('token')) return;
  const token = (params.get('token') ?? '').trim();
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
}

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

// ---- API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The path for the picked cluster (`?cluster=`); the default cluster's paths stay as they were. */
function withCluster(path) {
  if (!view.cluster) return path;
  return `${path}${path.includes('?') ? '&' : '?'}cluster=${encodeURIComponent(view.cluster)}`;
}

async function api(path) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    // Relative: the page works behind a proxy that serves the API under a path prefix.
    res = await fetch(withCluster(path), {
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(0, 'API unreachable');
  }
  if (!res.ok) {
    if (res.status === 401) {
      throw new ApiError(
        401,
        t
          ? 'The API refused the token (401): open this page as /#token=<the API token>'
          : 'The API needs a token (401): open this page as /#token=<the API token>',
      );
    }
    if (res.status === 503) throw new ApiError(503, 'State store unavailable (503)');
    throw new ApiError(res.status, `The API answered ${res.status}`);
  }
  return res.json();
}

// ---- DOM helpers --------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** An element with a class and text; children are appended as nodes, never parsed. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Text that may wrap after `.` and `_`, so a long signal name breaks between its words. */
function breakable(text) {
  const span = el('span');
  for (const part of String(text).split(/(?<=[._])/)) {
    span.append(document.createTextNode(part), el('wbr'));
  }
  return span;
}

function chip(text, tone) {
  const c = el('span', 'chip', text);
  c.dataset.tone = tone ?? 'neutral';
  return c;
}

/** A wire field without its group: the group is the same everywhere; the rest names the signal. */
const shortSignal = (field) => field.replace(/^(primary_signals|amplifiers|worker_signals)\./, '');

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v) => typeof v === 'string' && v.trim() !== '';
const listOf = (v) => (Array.isArray(v) ? v : []);

// ---- Formatting ---------------------------------------------------------------------------

function formatNumber(v, digits) {
  return v.toLocaleString(undefined, { maximumFractionDigits: digits });
}

function formatValue(v, unit) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'ratio':
      return `${formatNumber(v * 100, v >= 0.995 || v === 0 ? 0 : 1)} %`;
    case 'ms':
      return `${formatNumber(v, v < 10 ? 1 : 0)} ms`;
    case 's':
      return v >= 120 ? `${formatNumber(v / 60, 1)} min` : `${formatNumber(v, v < 10 ? 1 : 0)} s`;
    case '/s':
      return `${formatNumber(v, v < 10 ? 2 : 1)}/s`;
    default:
      return `${formatNumber(v, 2)} ${unit}`;
  }
}

function formatAge(s) {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

function clockTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
}

const clockAt = (ms) => new Date(ms).toLocaleTimeString();

function dateTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

function percent(x) {
  return Number.isFinite(x) ? `${Math.round(Math.max(0, Math.min(1, x)) * 100)} %` : '—';
}

/**
 * The explainer's items may be strings or objects whose keys the explainer chooses: the first
 * text-like field is the line, the other scalar fields its detail.
 */
const MAIN_KEYS = ['text', 'title', 'factor', 'summary', 'signal', 'what', 'description', 'name'];

function describe(item) {
  if (isText(item) || typeof item === 'number') return { main: String(item), detail: '' };
  if (!isObject(item)) return { main: '', detail: '' };
  const key = MAIN_KEYS.find((k) => isText(item[k]));
  const main = key ? item[key] : '';
  const detail = Object.entries(item)
    .filter(([k, v]) => k !== key && (isText(v) || typeof v === 'number'))
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`)
    .join(' · ');
  return main ? { main, detail } : { main: detail, detail: '' };
}

// ---- State --------------------------------------------------------------------------------

const view = {
  refreshS: DEFAULT_REFRESH_S,
  /** observation_age_s as answered, and when (this browser's clock), so the age ticks on. */
  age: null,
  stale: false,
  lastOk: null,
  timer: undefined,
  /** The picked cluster; null: the default (the API's unqualified paths). */
  cluster: null,
};

// ---- Rendering ----------------------------------------------------------------------------

function renderStatus(status) {
  const state = status.health_state ?? 'unknown';
  const badge = $('badge');
  badge.dataset.state = state;
  badge.setAttribute('aria-label', `Health state: ${state}`);
  $('badge-word').textContent = state;
  document.title = `Headway: ${state}`;

  $('band').textContent = status.scale_band ? `${status.scale_band} band` : 'band —';
  view.age =
    typeof status.observation_age_s === 'number'
      ? { seconds: status.observation_age_s, at: Date.now() }
      : null;
  view.stale = status.stale === true;
  renderAge();

  const reasons = $('reasons');
  const lines = [...listOf(status.reasons), ...listOf(status.errors).map((e) => `error: ${e}`)];
  reasons.replaceChildren(...lines.filter(isText).map((r) => el('li', '', r)));

  const cadence = Number(status.cadence_s);
  view.refreshS = Number.isFinite(cadence) && cadence > 0 ? Math.min(60, Math.max(1, cadence)) : 10;

  renderActions(listOf(status.recommended_actions));
  renderLogs(listOf(status.log_patterns));
}

function renderAge() {
  const age = $('age');
  if (view.age === null) {
    age.textContent = 'not observed yet';
    age.className = '';
    return;
  }
  const s = view.age.seconds + (Date.now() - view.age.at) / 1000;
  age.textContent = `observed ${formatAge(s)} ago${view.stale ? ' (stale)' : ''}`;
  age.className = view.stale ? 'stale' : '';
}

function renderSummary(summary) {
  $('summary').textContent = summary.summary ?? '';
  renderExplanation(summary);
  return summary;
}

function renderIssues(issues) {
  const list = $('issues');
  list.replaceChildren(
    ...issues.map((issue) => {
      const li = el('li', 'issue');
      li.dataset.severity = issue.severity ?? 'info';
      const head = el('div', 'item-head');
      head.append(chip(issue.severity ?? 'info', issue.severity), el('h3', '', issue.title));
      li.append(head);
      if (isText(issue.description)) li.append(el('p', '', issue.description));
      if (isText(issue.likely_cause)) {
        li.append(el('p', 'cause', `Likely cause: ${issue.likely_cause}`));
      }
      const actions = listOf(issue.suggested_actions).filter(isText);
      if (actions.length > 0) {
        const ul = el('ul');
        ul.append(...actions.map((a) => el('li', '', a)));
        li.append(ul);
      }
      return li;
    }),
  );
  $('issues-empty').hidden = issues.length > 0;
  $('issues-hint').textContent =
    issues.length > 0 ? `${issues.length} from the latest assessment` : '';
}

function renderActions(actions) {
  const list = $('actions');
  list.replaceChildren(
    ...actions.map((a) => {
      const li = el('li', 'action');
      const head = el('div', 'item-head');
      head.append(el('strong', '', a.description ?? a.action_type ?? 'action'));
      li.append(head);
      const meta = el('p', 'confidence');
      const parts = [a.action_type, a.target_service].filter(isText).join(' · ');
      if (parts) meta.append(el('span', '', parts));
      if (isText(a.risk_level)) meta.append(chip(`${a.risk_level} risk`, a.risk_level));
      if (typeof a.confidence === 'number') {
        const meter = el('span', 'meter');
        const bar = svg('svg', { viewBox: '0 0 100 6', preserveAspectRatio: 'none' });
        bar.append(
          svg('rect', {
            x: 0,
            y: 0,
            height: 6,
            width: Math.max(0, Math.min(1, a.confidence)) * 100,
          }),
        );
        meter.append(bar);
        meta.append(meter, el('span', '', `confidence ${percent(a.confidence)}`));
      }
      li.append(meta);
      return li;
    }),
  );
  $('actions-empty').hidden = actions.length > 0;
}

function renderLogs(patterns) {
  const rows = [...patterns]
    .sort((a, b) => (b.count ?? 0) - (a.count ?? 0))
    .map((p) => {
      const tr = el('tr');
      const sample = el('td', 'sample', p.sample_message ?? '');
      // Untrusted text: an attribute value is never parsed as markup.
      sample.title = String(p.sample_message ?? '');
      tr.append(
        el('td', 'num', formatNumber(Number(p.count ?? 0), 0)),
        el('td', '', p.service ?? ''),
        el('td', '', p.pattern ?? ''),
        sample,
      );
      return tr;
    });
  $('logs-body').replaceChildren(...rows);
  $('logs').hidden = rows.length === 0;
  $('logs-empty').hidden = rows.length > 0;
}

let stories = new Map();

function renderServices(services) {
  const sorted = [...services].sort(
    (a, b) => SERVICE_ORDER.indexOf(a.name) - SERVICE_ORDER.indexOf(b.name),
  );
  $('services').replaceChildren(
    ...sorted.map((s) => {
      const card = el('article', 'service-card');
      card.dataset.service = s.name ?? '';
      card.dataset.status = s.status ?? 'unknown';
      const h = el('h3', '', s.name ?? '?');
      h.append(chip(s.status ?? 'unknown', s.status));
      const dl = el('dl');
      const row = (term, value, tone) => {
        const dd = el('dd');
        dd.append(tone ? chip(value, tone) : breakable(value));
        dl.append(el('dt', '', term), dd);
      };
      row('Progress', s.forward_progress ?? 'unknown', s.forward_progress);
      row('Pressure', s.pressure ?? 'unknown', s.pressure);
      row('Dominant', isText(s.dominant_signal) ? shortSignal(s.dominant_signal) : '—');
      card.append(h, dl);
      const story = stories.get(s.name);
      if (isText(story)) card.append(el('p', 'story', story));
      return card;
    }),
  );
}

function renderExplanation(summary) {
  const x = isObject(summary.explanation) ? summary.explanation : {};
  stories = new Map(
    listOf(x.services)
      .filter((s) => isObject(s) && isText(s.name) && isText(s.story))
      .map((s) => [s.name, s.story]),
  );

  const fill = (box, list, items, render) => {
    const nodes = items.map(render).filter((n) => n !== null);
    $(list).replaceChildren(...nodes);
    $(box).hidden = nodes.length === 0;
    return nodes.length;
  };
  const item = (raw) => {
    const { main, detail } = describe(raw);
    if (!main) return null;
    const li = el('li', '', main);
    if (detail) li.append(el('span', 'detail', detail));
    return li;
  };
  // The explainer ranks its factors: `{ factor, signal, observed, weight }`.
  const factor = (raw) => {
    if (!isObject(raw) || !isText(raw.factor)) return item(raw);
    const li = el('li', '', raw.factor);
    const notes = [];
    if (isText(raw.signal)) {
      const name = shortSignal(raw.signal);
      notes.push(
        typeof raw.observed === 'number' ? `${name} = ${formatNumber(raw.observed, 3)}` : name,
      );
    }
    if (typeof raw.weight === 'number') notes.push(`weight ${percent(raw.weight)}`);
    if (notes.length > 0) li.append(el('span', 'detail', notes.join(' · ')));
    return li;
  };
  const evidence = (raw) => {
    if (!isObject(raw) || !isText(raw.quote)) return item(raw);
    const li = el('li');
    const head = [raw.service, raw.pattern].filter(isText).join(' · ');
    const count = typeof raw.count === 'number' ? ` (${formatNumber(raw.count, 0)}×)` : '';
    if (head) li.append(el('span', 'detail', `${head}${count}`));
    li.append(el('code', 'quote', raw.quote));
    if (isText(raw.issue)) li.append(el('span', 'detail', `supports: ${raw.issue}`));
    return li;
  };
  const citation = (raw) => {
    if (!isObject(raw)) return item(raw);
    const file = isText(raw.file) ? raw.file : '';
    const heading = isText(raw.heading) ? raw.heading : '';
    if (!file && !heading) return item(raw);
    const li = el('li');
    li.append(el('code', '', file));
    if (heading) li.append(document.createTextNode(` — ${heading}`));
    return li;
  };
  const shown =
    fill('factors-box', 'factors', listOf(x.contributing_factors), factor) +
    fill('watch-box', 'watch', listOf(x.watch_next), item) +
    fill('citations-box', 'citations', listOf(x.citations), citation) +
    fill('evidence-box', 'evidence', listOf(x.log_evidence), evidence);
  $('explanation').hidden = shown === 0;

  const hint = [];
  if (isText(summary.assessment_timestamp)) {
    hint.push(`assessment of ${dateTime(summary.assessment_timestamp)}`);
  }
  if (
    isText(summary.assessment_health_state) &&
    summary.assessment_health_state !== summary.health_state
  ) {
    hint.push(`judged ${summary.assessment_health_state}`);
  }
  $('explanation-hint').textContent = hint.join(', ');

  const explainer = x.explainer;
  const by = isText(explainer)
    ? explainer
    : isObject(explainer)
      ? [explainer.name, explainer.kind, explainer.model, explainer.provider]
          .filter(isText)
          .join(' · ')
      : '';
  $('explainer').textContent = by ? `Explained by ${by}.` : '';
}

function renderHistory(history) {
  const start = Date.parse(history.start);
  const end = Date.parse(history.end);
  // Sparklines span the data there is (a fresh copilot has minutes, not an hour); the timeline
  // keeps the whole window, so it shows when there was no data.
  const first = listOf(history.series)
    .flatMap((s) => listOf(s.points))
    .map((p) => Date.parse(p[0]))
    .filter(Number.isFinite)
    .reduce((a, b) => Math.min(a, b), end);
  // At least ten cycles wide, so a young copilot's first two points are not stretched edge to edge.
  const cadence = Number(history.cadence_s) > 0 ? Number(history.cadence_s) : view.refreshS;
  const minSpan = Math.max(30_000, 10 * cadence * 1000);
  const sparkStart = Math.max(start, Math.min(first, end - minSpan));
  $('signals-hint').textContent =
    sparkStart - start > 60_000
      ? `since ${clockTime(new Date(sparkStart).toISOString())}`
      : 'last 60 min';
  $('signals').replaceChildren(
    ...listOf(history.series).map((series) => {
      const points = listOf(series.points)
        .filter((p) => Array.isArray(p) && p.length === 2)
        .map(([t, v]) => [Date.parse(t), typeof v === 'number' && Number.isFinite(v) ? v : null]);
      const latest = [...points].reverse().find(([, v]) => v !== null);
      const tile = el('figure', 'signal');
      tile.dataset.field = series.field ?? '';
      const caption = el('figcaption');
      const value = el('p', 'signal-value', formatValue(latest?.[1] ?? null, series.unit));
      if (latest === undefined) value.classList.add('none');
      caption.append(el('p', 'signal-label', series.label ?? series.field), value);
      tile.append(caption, sparkline(points, sparkStart, end, series));
      return tile;
    }),
  );
  renderTimeline(listOf(history.states), start, end);
}

function sparkline(points, start, end, series) {
  const W = 200;
  const H = 40;
  const PAD = 2;
  const values = points.map(([, v]) => v).filter((v) => v !== null);
  const chart = svg('svg', {
    class: 'sparkline',
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    role: 'img',
  });
  if (values.length === 0) {
    chart.setAttribute('aria-label', `${series.label}: no data`);
    const t = svg('text', { x: W / 2, y: H / 2 + 3, 'text-anchor': 'middle', class: 'no-data' });
    t.textContent = 'no data';
    chart.append(t);
    return chart;
  }
  const least = Math.min(...values);
  const most = Math.max(...values);
  // From zero: a latency going from 40 to 44 ms is not drawn as a cliff.
  const lo = Math.min(0, least);
  let hi = most;
  if (hi === lo) hi = lo + (Math.abs(lo) || 1);
  const span = Math.max(1, end - start);
  const x = (t) => (PAD + ((t - start) / span) * (W - 2 * PAD)).toFixed(1);
  const y = (v) => (H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD)).toFixed(1);

  // A null is a gap (no observation): the line breaks there instead of bridging it.
  const runs = [];
  let run = [];
  for (const [t, v] of points) {
    if (v === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push([t, v]);
  }
  if (run.length > 0) runs.push(run);

  let line = '';
  let area = '';
  for (const r of runs) {
    const coords = r.map(([t, v]) => `${x(t)} ${y(v)}`);
    line += `M${coords[0]}${r.length === 1 ? 'h0.5' : `L${coords.slice(1).join('L')}`}`;
    if (r.length > 1) {
      area += `M${x(r[0][0])} ${H - PAD}L${coords.join('L')}L${x(r.at(-1)[0])} ${H - PAD}Z`;
    }
  }
  if (area) chart.append(svg('path', { class: 'area', d: area }));
  chart.append(svg('path', { class: 'line', d: line }));
  chart.setAttribute(
    'aria-label',
    `${series.label}: from ${formatValue(least, series.unit)} to ${formatValue(most, series.unit)}`,
  );
  return chart;
}

function renderTimeline(states, start, end) {
  const W = 1000;
  const H = 28;
  const span = Math.max(1, end - start);
  const x = (t) => ((Math.min(Math.max(t, start), end) - start) / span) * W;
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    role: 'img',
  });
  chart.append(svg('rect', { x: 0, y: 0, width: W, height: H, 'data-state': 'none' }));
  const entries = states
    .filter((s) => Array.isArray(s) && s.length === 2)
    .map(([t, state]) => [Date.parse(t), String(state)]);
  const changes = [];
  for (const [i, [t, state]] of entries.entries()) {
    const until = i + 1 < entries.length ? entries[i + 1][0] : end;
    const x0 = x(t);
    const w = x(until) - x0;
    if (w <= 0) continue;
    const rect = svg('rect', { x: x0, y: 0, width: w, height: H, 'data-state': state });
    const tip = svg('title');
    tip.textContent = `${state}: ${clockAt(t)} – ${clockAt(until)}`;
    rect.append(tip);
    chart.append(rect);
    changes.push(`${state} from ${clockAt(t)}`);
  }
  chart.setAttribute(
    'aria-label',
    changes.length > 0 ? `State over the last hour: ${changes.join(', ')}` : 'No state recorded',
  );
  $('timeline').replaceChildren(chart);
}

// ---- Refresh loop -------------------------------------------------------------------------

function showProblems(errors) {
  const banner = $('banner');
  if (errors.length === 0) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  // The most telling failure first: a refused token or a dead API explains the others.
  const rank = (e) => (e.status === 401 ? 0 : e.status === 0 ? 1 : e.status === 503 ? 2 : 3);
  const worst = [...errors].sort((a, b) => rank(a) - rank(b))[0];
  const kept = view.lastOk ? ` Showing data from ${clockTime(view.lastOk)}.` : '';
  banner.textContent = `${worst.message}.${kept}`.replace('..', '.');
  banner.dataset.status = String(worst.status);
  banner.hidden = false;
}

// ---- Clusters -----------------------------------------------------------------------------

/**
 * With more than one cluster, a picker; the pick is kept in the address (`?cluster=NAME`), so a
 * link or a reload shows the same cluster. An API without `/clusters` shows no picker.
 */
async function loadClusters() {
  let body;
  try {
    body = await api('clusters');
  } catch {
    return;
  }
  const list = listOf(body.clusters).filter((c) => typeof c?.name === 'string');
  const picker = $('cluster');
  if (list.length < 2) {
    view.cluster = null;
    $('cluster-picker').hidden = true;
    return;
  }
  const wanted = new URLSearchParams(location.search).get('cluster');
  view.cluster = list.some((c) => c.name === wanted) ? wanted : String(body.default ?? '');
  const label = (c) =>
    typeof c.health_state === 'string' ? `${c.name} · ${c.health_state}` : c.name;
  const names = list.map((c) => c.name).join('\n');
  if (picker.dataset.names !== names) {
    picker.replaceChildren(
      ...list.map((c) => {
        const option = document.createElement('option');
        option.value = c.name;
        return option;
      }),
    );
    picker.dataset.names = names;
  }
  list.forEach((c, i) => {
    const option = picker.options[i];
    option.textContent = label(c);
    option.selected = c.name === view.cluster;
  });
  $('cluster-picker').hidden = false;
}

function pickCluster() {
  const params = new URLSearchParams(location.search);
  params.set('cluster', $('cluster').value);
  history.replaceState(null, '', `${location.pathname}?${params.toString()}${location.hash}`);
  void tick();
}

async function refresh() {
  await loadClusters();
  const summary = api('status/summary').then(renderSummary);
  const tasks = [
    api('status').then(renderStatus),
    summary,
    api('status/issues?limit=20').then((b) => renderIssues(listOf(b.issues))),
    api(`status/history?minutes=${HISTORY_MINUTES}`).then(renderHistory),
    // After the summary: its explanation carries each service's story.
    Promise.allSettled([summary])
      .then(() => api('status/services'))
      .then((b) => renderServices(listOf(b.services))),
  ];
  const results = await Promise.allSettled(tasks);
  const errors = results
    .filter((r) => r.status === 'rejected')
    .map((r) => (r.reason instanceof ApiError ? r.reason : new ApiError(-1, String(r.reason))));
  if (errors.length === 0) view.lastOk = new Date().toISOString();
  showProblems(errors);
  const when = view.lastOk ? clockTime(view.lastOk) : 'never';
  $('refresh').textContent =
    `${errors.length === 0 ? 'Updated' : 'Last update'} ${when} · every ${view.refreshS} s`;
}

async function tick() {
  clearTimeout(view.timer);
  try {
    await refresh();
  } finally {
    view.timer = setTimeout(tick, view.refreshS * 1000);
  }
}

takeTokenFromFragment();
$('cluster').addEventListener('change', pickCluster);
window.addEventListener('hashchange', () => {
  takeTokenFromFragment();
  void tick();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void tick();
});
setInterval(renderAge, 1000);
void tick();
