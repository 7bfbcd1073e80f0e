// The lab's last result: a table (one row per fault and design), then one chart per fault comparing the
// three designs. Drawn with createElement and textContent only.

import {bars, chart, destroyCharts, el, seconds, table, timeOfDay} from './common.js';

const DESIGNS = ['1', '2', '3'];
export const DESIGN_COLORS = {'1': '#ef6c00', '2': '#6a1b9a', '3': '#1565c0'};
// the chart's categories, left to right: three counts, then the seconds until consistent (its own axis)
const COUNTS = [
  {key: 'missingFromSearch', label: 'missing\nin search'},
  {key: 'wrongCounts', label: 'wrong\ncounts'},
  {key: 'lost', label: 'lost\nevents'}
];
const SECONDS_LABEL = 'consistent\nafter (s)';
// x slots: a category takes DESIGNS.length slots and one empty slot as a gap
const SLOTS = DESIGNS.length + 1;

const charts = [];      // uPlot instances on screen

function td(value, attrs) {
  const cell = el('td', value === null || value === undefined ? '–' : value);
  Object.entries(attrs || {}).forEach(([k, v]) => cell.setAttribute(k, String(v)));
  return cell;
}

function faultsOf(result) {
  const faults = [];
  result.runs.forEach(r => { if (!faults.includes(r.fault)) faults.push(r.fault); });
  return faults;
}

const HEADERS = ['fault', 'design', 'missing in search', 'wrong counts', 'counted twice', 'lost', 'consistent after',
  'kept going during outage', 'publishes/s', 'crashed', 'dead-lettered / replayed'];

function resultRow(r, settleSeconds) {
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
    const failed = td('failed: ' + r.error, {colspan: HEADERS.length - 2});
    failed.className = 'bad';
    tr.appendChild(failed);
    return tr;
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
    + settleSeconds + ' s';
  tr.appendChild(consistent);
  tr.appendChild(td(r.keptGoing === null ? '–' : (r.keptGoing ? 'yes ' : 'no ') + r.countedDuringOutage + '/'
    + r.storedDuringOutage, {title: 'events stored during the search outage that the counter counted before it ended'}));
  tr.appendChild(td(r.publishesPerSecond));
  tr.appendChild(td(r.crashed + ' of ' + r.publishes));
  tr.appendChild(td(r.deadLettered + ' / ' + r.replayed));
  return tr;
}

function renderTable(result) {
  const t = table(HEADERS, result.runs.map(r => resultRow(r, result.plan.settleSeconds)));
  t.id = 'lab-result-table';
  document.getElementById('lab-table').replaceChildren(t);
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

function faultChart(fault, runs, bound, width) {
  const box = el('figure', null, 'lab-chart');
  box.dataset.fault = fault;
  box.appendChild(el('figcaption', 'under ' + fault));
  const plot = el('div', null, 'plot');
  box.appendChild(plot);
  document.getElementById('lab-charts').appendChild(box);
  const maxCount = Math.max(1, ...runs.filter(r => !r.error).flatMap(r => COUNTS.map(m => r[m.key])));
  const maxSeconds = Math.max(bound, ...runs.filter(r => r.consistentAfterMillis !== null)
    .map(r => r.consistentAfterMillis / 1000));
  const barPaths = bars({size: [0.84, 60]});
  const series = [{}];
  DESIGNS.forEach(d => series.push({label: 'design ' + d, scale: 'n', fill: DESIGN_COLORS[d],
    stroke: DESIGN_COLORS[d], paths: barPaths, points: {show: false}}));
  DESIGNS.forEach(d => series.push({label: 'design ' + d + ' seconds', scale: 's', fill: DESIGN_COLORS[d] + '99',
    stroke: DESIGN_COLORS[d], paths: barPaths, points: {show: false}}));
  const centres = [];
  for (let ci = 0; ci <= COUNTS.length; ci++) centres.push(ci * SLOTS + (DESIGNS.length - 1) / 2);
  const names = COUNTS.map(m => m.label).concat([SECONDS_LABEL]);
  charts.push(chart({
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
  }, chartData(runs), plot));
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

/** Shows result, or that none has finished yet when it is null. */
export function renderResult(result) {
  destroyCharts(charts);
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
    + timeOfDay(result.startedAt) + ', took ' + took.toFixed(0) + ' s';
  renderTable(result);
  const container = document.getElementById('lab-charts');
  // two or three charts side by side, whatever the window
  const columns = container.clientWidth >= 1300 ? 3 : container.clientWidth >= 860 ? 2 : 1;
  const width = Math.floor((container.clientWidth - (columns - 1) * 16) / columns) - 2;
  faultsOf(result).forEach(fault => faultChart(fault, result.runs.filter(r => r.fault === fault),
    result.plan.settleSeconds, width));
}
