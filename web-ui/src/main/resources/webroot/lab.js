// The lab page. Starting a lab is an admin API call (POST /api/admin/lab/runs) carrying the token typed into
// this tab (sessionStorage, the key the dashboard uses); everything else reads GET /api/lab, which is public:
// every second while a lab runs, every five seconds otherwise. The last result shows as a table and as one
// chart per fault comparing the three designs. Everything is drawn with createElement and textContent only:
// nothing from the data is ever parsed as HTML.
'use strict';

const TOKEN_KEY = 'fanout.adminToken';
const RUNNING_POLL_MILLIS = 1000;
const IDLE_POLL_MILLIS = 5000;
const DESIGNS = ['1', '2', '3'];
const DESIGN_COLORS = {'1': '#ef6c00', '2': '#6a1b9a', '3': '#1565c0'};
// the chart's categories, left to right: three counts, then the seconds until consistent (its own axis)
const COUNTS = [
  {key: 'missingFromSearch', label: 'missing\nin search'},
  {key: 'wrongCounts', label: 'wrong\ncounts'},
  {key: 'lost', label: 'lost\nevents'}
];
const SECONDS_LABEL = 'consistent\nafter (s)';
// x slots: a category takes DESIGNS.length slots and one empty slot as a gap
const SLOTS = DESIGNS.length + 1;

let shownResult = '';   // startedAt|endedAt of the result on screen
let pollTimer = null;
const charts = [];      // uPlot instances on screen

// ---- small DOM helpers: text only

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function td(value, attrs) {
  const cell = el('td', value === null || value === undefined ? '–' : value);
  Object.entries(attrs || {}).forEach(([k, v]) => cell.setAttribute(k, String(v)));
  return cell;
}

function seconds(millis) {
  return millis === null || millis === undefined ? null : (millis / 1000).toFixed(1) + ' s';
}

function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '–';
}

async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  let json = null;
  try { json = await response.json(); } catch (e) { /* no body */ }
  return {status: response.status, json};
}

// ---- starting a lab (admin token)

function token() {
  return document.getElementById('admin-token').value.trim();
}

function say(text, error) {
  const node = document.getElementById('lab-answer');
  node.textContent = text;
  node.className = error ? 'error' : 'muted';
}

// The plan as the form says it; a number field left empty is left out (the server's default), anything
// else is sent as typed, for the server to accept or refuse by name.
function plan() {
  const body = {};
  const numbers = {publishes: 'lab-publishes', rate: 'lab-rate', concurrency: 'lab-concurrency',
    outageSeconds: 'lab-outage', settleSeconds: 'lab-settle'};
  Object.entries(numbers).forEach(([field, id]) => {
    const value = document.getElementById(id).value.trim();
    if (value !== '') body[field] = Number(value);
  });
  body.faults = Array.from(document.querySelectorAll('#lab-faults input:checked')).map(box => box.value);
  return body;
}

async function startLab(event) {
  event.preventDefault();
  const body = plan();
  say('starting…', false);
  let response;
  let json = null;
  try {
    response = await fetch('/api/admin/lab/runs', {method: 'POST', body: JSON.stringify(body),
      headers: {Authorization: 'Bearer ' + token(), 'Content-Type': 'application/json'}});
    try { json = await response.json(); } catch (e) { /* no body */ }
  } catch (e) {
    say('cannot reach the server: ' + e.message, true);
    return;
  }
  if (response.status === 202) {
    say('started: ' + json.runs + ' runs', false);
    poll();
  } else if (response.status === 401) {
    say('the admin token was refused', true);
  } else {
    const field = json && json.field ? ' (' + json.field + ')' : '';
    say('not started' + field + ': ' + ((json && json.message) || 'HTTP ' + response.status), true);
  }
}

// ---- progress

function renderProgress(progress) {
  const section = document.getElementById('progress');
  const bar = document.getElementById('lab-bar');
  const text = document.getElementById('lab-progress');
  const running = progress.running === true;
  section.dataset.running = String(running);
  section.dataset.phase = progress.phase || '';
  document.getElementById('lab-run').disabled = running;
  document.getElementById('lab-run').title = running ? 'a lab is running; one runs at a time' : '';
  if (progress.runs === undefined) {
    bar.max = 1;
    bar.value = 0;
    text.textContent = 'no lab has been started in this process';
    return;
  }
  bar.max = progress.runs;
  // runs finished, plus half of the one going
  bar.value = running ? Math.max(0, progress.run - 0.5) : (progress.phase === 'done' ? progress.runs : progress.run);
  if (running && !progress.design) {
    text.textContent = 'starting ' + progress.runs + ' runs…';
  } else if (running) {
    text.textContent = 'run ' + progress.run + ' of ' + progress.runs + ' · design ' + progress.design + ' ('
      + progress.designName + ') · fault ' + progress.fault + ' · ' + progress.phase;
  } else if (progress.phase === 'failed') {
    text.textContent = 'the lab could not run: ' + (progress.error || 'see the app log');
  } else {
    text.textContent = 'done: ' + progress.runs + ' runs';
  }
}

// ---- the last result: a table, then a chart per fault

function faultsOf(result) {
  const faults = [];
  result.runs.forEach(r => { if (!faults.includes(r.fault)) faults.push(r.fault); });
  return faults;
}

function renderTable(result) {
  const table = el('table');
  table.id = 'lab-result-table';
  const head = el('tr');
  ['fault', 'design', 'missing in search', 'wrong counts', 'counted twice', 'lost', 'consistent after',
    'kept going during outage', 'publishes/s', 'crashed', 'dead-lettered / replayed']
    .forEach(h => head.appendChild(el('th', h)));
  const thead = el('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  const body = el('tbody');
  result.runs.forEach(r => {
    const tr = el('tr');
    tr.dataset.fault = r.fault;
    tr.dataset.design = r.design;
    tr.dataset.consistent = String(r.consistent);
    tr.appendChild(td(r.fault));
    const design = td(r.design, {title: r.designName});
    design.className = 'design-cell';
    design.style.borderLeftColor = DESIGN_COLORS[r.design] || '#999';
    tr.appendChild(design);
    if (r.error) {
      const failed = td('failed: ' + r.error, {colspan: 9});
      failed.className = 'bad';
      tr.appendChild(failed);
      body.appendChild(tr);
      return;
    }
    [r.missingFromSearch, r.wrongCounts, r.countedTwice, r.lost].forEach(n => {
      const cell = td(n);
      if (n > 0) cell.className = 'bad';
      tr.appendChild(cell);
    });
    const consistent = td(r.consistentAfterMillis === null ? 'never' : seconds(r.consistentAfterMillis),
      {'data-role': 'consistent-after'});
    consistent.className = r.consistent ? 'good' : 'bad';
    if (r.consistentAfterMillis === null) consistent.title = 'not consistent within the settle bound of '
      + result.plan.settleSeconds + ' s';
    tr.appendChild(consistent);
    tr.appendChild(td(r.keptGoing === null ? '–' : (r.keptGoing ? 'yes ' : 'no ') + r.countedDuringOutage + '/'
      + r.storedDuringOutage, {title: 'events stored during the search outage that the counter counted before it ended'}));
    tr.appendChild(td(r.publishesPerSecond));
    tr.appendChild(td(r.crashed + ' of ' + r.publishes));
    tr.appendChild(td(r.deadLettered + ' / ' + r.replayed));
    body.appendChild(tr);
  });
  table.appendChild(body);
  document.getElementById('lab-table').replaceChildren(table);
}

// The chart's data: x = slots; per design a count series (scale n) and a seconds series (scale s), each
// holding values only in its own slots.
function chartData(runs) {
  const categories = COUNTS.length + 1;
  const xs = [];
  for (let i = 0; i < categories * SLOTS - 1; i++) xs.push(i);
  const data = [xs];
  DESIGNS.forEach((d, di) => {
    const run = runs.find(r => r.design === d);
    const counts = xs.map(() => null);
    COUNTS.forEach((m, ci) => { if (run && !run.error) counts[ci * SLOTS + di] = run[m.key]; });
    data.push(counts);
  });
  DESIGNS.forEach((d, di) => {
    const run = runs.find(r => r.design === d);
    const secs = xs.map(() => null);
    if (run && !run.error && run.consistentAfterMillis !== null) {
      secs[COUNTS.length * SLOTS + di] = run.consistentAfterMillis / 1000;
    }
    data.push(secs);
  });
  return data;
}

// Writes each bar's value above it, marks "never" (a dashed outline up to the settle bound) and failed runs,
// and draws the settle bound over the seconds category.
function labels(runs, bound) {
  return u => {
    const ctx = u.ctx;
    const px = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = Math.round(11 * px) + 'px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    const secondsAt = COUNTS.length * SLOTS;
    const half = (u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true)) * 0.42;
    const top = u.valToPos(bound, 's', true);
    const zero = u.valToPos(0, 's', true);
    // the settle bound, over the seconds category only
    ctx.strokeStyle = '#999';
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(u.valToPos(secondsAt - 0.5, 'x', true), top);
    ctx.lineTo(u.valToPos(secondsAt + DESIGNS.length - 0.5, 'x', true), top);
    ctx.stroke();
    ctx.fillStyle = '#777';
    ctx.fillText('bound ' + bound + ' s', u.valToPos(secondsAt + 1, 'x', true), top - 2 * px);
    DESIGNS.forEach((d, di) => {
      const run = runs.find(r => r.design === d);
      if (!run) return;
      if (run.error) {
        ctx.fillStyle = '#c62828';
        for (let ci = 0; ci <= COUNTS.length; ci++) {
          ctx.fillText('failed', u.valToPos(ci * SLOTS + di, 'x', true), zero - 2 * px);
        }
        return;
      }
      ctx.fillStyle = '#222';
      COUNTS.forEach((m, ci) => {
        const x = u.valToPos(ci * SLOTS + di, 'x', true);
        ctx.fillText(String(run[m.key]), x, u.valToPos(run[m.key], 'n', true) - 2 * px);
      });
      const x = u.valToPos(secondsAt + di, 'x', true);
      if (run.consistentAfterMillis === null) {
        ctx.strokeStyle = DESIGN_COLORS[d];
        ctx.setLineDash([3 * px, 2 * px]);
        ctx.strokeRect(x - half, top, 2 * half, zero - top);
        ctx.fillStyle = DESIGN_COLORS[d];
        ctx.save();
        ctx.translate(x, (top + zero) / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textBaseline = 'middle';
        ctx.fillText('never', 0, 0);
        ctx.restore();
      } else {
        const s = run.consistentAfterMillis / 1000;
        ctx.fillText(s.toFixed(1), x, u.valToPos(s, 's', true) - 2 * px);
      }
    });
    ctx.restore();
  };
}

function chart(fault, runs, bound, width) {
  const box = el('figure', null, 'lab-chart');
  box.dataset.fault = fault;
  box.appendChild(el('figcaption', 'under ' + fault));
  const plot = el('div', null, 'plot');
  box.appendChild(plot);
  document.getElementById('lab-charts').appendChild(box);
  const maxCount = Math.max(1, ...runs.filter(r => !r.error).flatMap(r => COUNTS.map(m => r[m.key])));
  const maxSeconds = Math.max(bound, ...runs.filter(r => r.consistentAfterMillis !== null)
    .map(r => r.consistentAfterMillis / 1000));
  const bars = uPlot.paths.bars({size: [0.84, 60]});
  const series = [{}];
  DESIGNS.forEach(d => series.push({label: 'design ' + d, scale: 'n', fill: DESIGN_COLORS[d],
    stroke: DESIGN_COLORS[d], paths: bars, points: {show: false}}));
  DESIGNS.forEach(d => series.push({label: 'design ' + d + ' seconds', scale: 's', fill: DESIGN_COLORS[d] + '99',
    stroke: DESIGN_COLORS[d], paths: bars, points: {show: false}}));
  const centres = [];
  for (let ci = 0; ci <= COUNTS.length; ci++) centres.push(ci * SLOTS + (DESIGNS.length - 1) / 2);
  const names = COUNTS.map(m => m.label).concat([SECONDS_LABEL]);
  const u = new uPlot({
    width, height: 230,
    legend: {show: false},
    cursor: {show: false},
    scales: {
      x: {time: false, range: () => [-0.7, (COUNTS.length + 1) * SLOTS - 1.3]},
      n: {range: () => [0, Math.ceil(maxCount * 1.2)]},
      s: {range: () => [0, maxSeconds * 1.2]}
    },
    axes: [
      {splits: () => centres, values: () => names, size: 40, grid: {show: false}, ticks: {show: false}},
      {scale: 'n', label: 'count', size: 44, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000, 100000]},
      {scale: 's', side: 1, label: 'seconds', size: 44, grid: {show: false}}
    ],
    series,
    hooks: {draw: [labels(runs, bound)]}
  }, chartData(runs), plot);
  charts.push(u);
  const note = el('p', null, 'muted note');
  note.textContent = DESIGNS.map(d => {
    const run = runs.find(r => r.design === d);
    if (!run) return null;
    if (run.error) return d + ': failed';
    return d + ': ' + (run.consistent ? 'consistent' : 'not consistent') + (run.consistentAfterMillis === null
      ? ' within ' + bound + ' s' : ' after ' + seconds(run.consistentAfterMillis));
  }).filter(Boolean).join(' · ');
  box.appendChild(note);
}

function renderResult(result) {
  charts.splice(0).forEach(u => u.destroy());
  document.getElementById('lab-charts').replaceChildren();
  if (!result) {
    document.getElementById('lab-summary').textContent = 'no lab has finished in this process yet';
    document.getElementById('lab-table').replaceChildren();
    return;
  }
  const took = (new Date(result.endedAt) - new Date(result.startedAt)) / 1000;
  document.getElementById('lab-summary').textContent = result.plan.publishes + ' publishes per run · faults '
    + result.plan.faults.join(', ') + ' · backend ' + result.backend + ' · search ' + result.search
    + ' · settle bound ' + result.plan.settleSeconds + ' s · outage ' + result.plan.outageSeconds + ' s · started '
    + clock(result.startedAt) + ', took ' + took.toFixed(0) + ' s';
  renderTable(result);
  const container = document.getElementById('lab-charts');
  // two or three charts side by side, whatever the window
  const columns = container.clientWidth >= 1300 ? 3 : container.clientWidth >= 860 ? 2 : 1;
  const width = Math.floor((container.clientWidth - (columns - 1) * 16) / columns) - 2;
  faultsOf(result).forEach(fault => chart(fault, result.runs.filter(r => r.fault === fault),
    result.plan.settleSeconds, width));
}

// ---- polling

async function poll() {
  clearTimeout(pollTimer);
  let running = false;
  try {
    const answer = await getJson('/api/lab');
    if (answer.status !== 200 || !answer.json) throw new Error('HTTP ' + answer.status);
    running = answer.json.progress.running === true;
    renderProgress(answer.json.progress);
    const last = answer.json.lastResult;
    const key = last ? last.startedAt + '|' + last.endedAt : '';
    if (key !== shownResult) {
      shownResult = key;
      renderResult(last);
    }
  } catch (e) {
    document.getElementById('lab-progress').textContent = 'cannot read the lab (' + e.message + '); trying again';
  }
  pollTimer = setTimeout(poll, running ? RUNNING_POLL_MILLIS : IDLE_POLL_MILLIS);
}

function start() {
  const input = document.getElementById('admin-token');
  input.value = sessionStorage.getItem(TOKEN_KEY) || '';
  input.addEventListener('input', () => sessionStorage.setItem(TOKEN_KEY, input.value.trim()));
  document.getElementById('admin-token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
  });
  document.querySelectorAll('#designs [data-design] .swatch')
    .forEach(s => { s.style.background = DESIGN_COLORS[s.parentElement.dataset.design]; });
  document.getElementById('lab-form').addEventListener('submit', startLab);
  poll();
}

start();
