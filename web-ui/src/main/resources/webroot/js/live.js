// The live view: the flow (publisher → outbox → topic → groups) and the charts, redrawn from each snapshot
// of /api/live (Server-Sent Events, one a second; EventSource reconnects by itself). Public data only.

import {chart, count, destroyCharts, duration, el, rate, timeOfDay, widthIn} from './common.js';
import {addGroupControls, log} from './controls.js';
import {chip, traceMarks} from './trace.js';

const STATUS_TEXT = {
  OK: 'keeping up', WARN: 'reading but falling behind', STALL: 'owned, but nothing committed',
  OPEN: 'its sink circuit is open: records wait until a probe gets through',
  STOP: 'nobody reads it (paused or no owner)', ERR: 'committed offset went backwards'
};
const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f'];
// a webhook subscription's group; its box is a compact one, in a grid beside the built-in groups
const SUBSCRIPTION_PREFIX = 'sub-';

const cards = new Map();       // group name -> {row, root}: row is what its parent holds (the box itself when compact)
let subscriptionsRow = null;   // the row holding the grid of compact boxes, made when the first one comes
const memberNames = new Map(); // group name -> Map(memberId -> short name), stable while the page is open
const charts = {lag: null, throughput: null, key: ''};
let topicName = null;          // the groups' topic, from /api/info or the first group
let lastSnapshot = null;

// "0–3, 5, 7–8" from sorted or unsorted partition numbers
function ranges(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? sorted[i] + '–' + sorted[j] : String(sorted[i]));
    i = j;
  }
  return parts.join(', ');
}

function memberName(group, memberId) {
  if (memberId === null || memberId === undefined) return null;
  let names = memberNames.get(group);
  if (!names) { names = new Map(); memberNames.set(group, names); }
  if (!names.has(memberId)) names.set(memberId, 'm' + (names.size + 1));
  return names.get(memberId);
}

function role(name) {
  return document.querySelector('[data-role="' + name + '"]');
}

// ---- the flow: publisher → outbox → topic → groups

function renderOutbox(outbox, groups) {
  const o = outbox || {};
  role('appended-rate').textContent = o.appendedPerSecond === null || o.appendedPerSecond === undefined
    ? '–' : count(o.appendedPerSecond);
  const unsent = role('unsent');
  unsent.textContent = o.unsent === null || o.unsent === undefined ? '–' : count(o.unsent) + (o.capped ? '+' : '');
  const note = role('oldest-unsent');
  if (o.error) {
    note.textContent = 'cannot read the outbox: ' + o.error;
    note.className = 'note warning';
  } else {
    note.textContent = o.oldestUnsentMillis === null || o.oldestUnsentMillis === undefined
      ? 'nothing waits' : 'oldest waits ' + duration(o.oldestUnsentMillis);
    note.className = 'note muted';
  }
  const onTopic = groups.find(g => g.topic === topicName) || groups[0];
  role('relay-rate').textContent = onTopic ? rate(onTopic.producedPerSecond) : '–';
}

function cell(partition, fraction, status, title) {
  const c = el('div', undefined, 'cell');
  c.dataset.partition = String(partition);
  if (status) c.dataset.status = status;
  c.title = title;
  const bar = el('div', undefined, 'bar');
  bar.style.height = Math.round(Math.max(0, Math.min(1, fraction)) * 100) + '%';
  c.appendChild(bar);
  return c;
}

function isSubscription(group) {
  return group.startsWith(SUBSCRIPTION_PREFIX);
}

function strip(label, attrs, cells, className) {
  const s = el('div', undefined, 'strip' + (className ? ' ' + className : ''));
  Object.entries(attrs).forEach(([k, v]) => s.setAttribute(k, v));
  const name = el('span', label, 'strip-label');
  name.title = label;
  s.appendChild(name);
  const holder = el('div', undefined, 'cells' + (cells.length > 48 ? ' dense' : ''));
  holder.replaceChildren(...cells);
  s.appendChild(holder);
  return s;
}

function renderTopic(topics, groups) {
  const topic = topics.find(t => t.name === topicName) || null;
  const onTopic = groups.filter(g => topic === null || g.topic === topic.name);
  role('topic-name').textContent = topic ? topic.name : (topicName || '…');
  role('topic-partitions').textContent = topic ? topic.partitions.length + ' partitions' : '';
  const maxLag = Math.max(1, ...onTopic.flatMap(g => g.partitions.map(p => p.lag)));
  role('lag-scale').textContent = 'full height = ' + count(maxLag) + (maxLag === 1 ? ' record' : ' records');
  const traced = traceMarks();
  const rows = [];
  if (topic) {
    const maxEnd = Math.max(1, ...topic.partitions.map(p => p.endOffset));
    rows.push(strip('records', {'data-topic': topic.name}, topic.partitions.map(p => cell(p.partition,
      p.endOffset / maxEnd, null, 'partition ' + p.partition + ': offsets ' + p.startOffset + ' to ' + p.endOffset
        + ' (' + count(p.endOffset - p.startOffset) + ' kept)')), 'records'));
  }
  onTopic.forEach(g => {
    const cells = g.partitions.map(p => {
      const owner = memberName(g.group, p.owner);
      const c = cell(p.partition, p.lag / maxLag, p.status, g.group + ' · partition ' + p.partition + '\nlag '
        + count(p.lag) + ' (' + duration(p.timeLagMillis) + ') · ' + p.status + '\ncommitted ' + p.committed
        + ' of ' + p.logEnd + '\nowner ' + (owner ? owner + ' (' + p.owner + ')' : 'none'));
      c.dataset.lag = String(p.lag);
      const mark = traced.get(g.group);
      if (mark && mark.partition === p.partition) {
        c.dataset.traced = mark.status;
        c.title += '\ntraced event: ' + mark.status.replace('_', ' ');
      }
      return c;
    });
    rows.push(strip(g.group + ' lag', {'data-strip': g.group}, cells, isSubscription(g.group) ? 'thin' : undefined));
  });
  document.getElementById('strips').replaceChildren(...rows);
}

function figure(parent, name, value, roleName) {
  const f = el('span', undefined, 'fig');
  f.appendChild(el('small', name));
  const b = el('b', value === null || value === undefined ? '–' : value);
  b.dataset.role = roleName;
  f.appendChild(b);
  parent.appendChild(f);
  return b;
}

// A group keeps its box while it exists, so the boxes do not jump around from one snapshot to the next.
function card(name) {
  let entry = cards.get(name);
  if (entry) return entry;
  if (isSubscription(name)) {
    const box = el('section', undefined, 'group compact');
    box.dataset.group = name;
    entry = {row: box, root: box};
    cards.set(name, entry);
    return entry;
  }
  const groupRow = el('div', undefined, 'group-row');
  groupRow.appendChild(el('div', undefined, 'arrow'));
  const root = el('section', undefined, 'group');
  root.dataset.group = name;
  groupRow.appendChild(root);
  entry = {row: groupRow, root};
  cards.set(name, entry);
  return entry;
}

function statusBadge(status) {
  const badge = el('span', status, 'badge');
  badge.dataset.status = status;
  badge.dataset.role = 'status';
  badge.title = STATUS_TEXT[status] || '';
  return badge;
}

// A subscription's group in a few lines: name, status, lag, time lag, processed/s, circuit; the rest on hover,
// in its heat strip and in the Subscriptions panel below.
function renderCompact(group, root) {
  const f = group.figures || {};
  const head = el('header');
  const name = el('h3', group.group);
  name.title = 'webhook subscription ' + group.group.slice(SUBSCRIPTION_PREFIX.length) + ' · ' + group.state
    + ' · ' + group.members.length + ' member(s)' + (f.paused ? ' · paused' : '');
  head.appendChild(name);
  head.appendChild(statusBadge(group.status));
  const figs = el('div', undefined, 'figs');
  // a figure cut short by a narrow box still reads whole on hover
  const compactFigure = (label, value, roleName) => {
    const b = figure(figs, label, value, roleName);
    b.parentNode.title = label + ' ' + b.textContent;
    return b;
  };
  compactFigure('lag', count(group.lag), 'lag');
  compactFigure('time lag', duration(group.timeLagMillis), 'time-lag');
  compactFigure('processed', group.figures ? rate(group.processedPerSecond) : '–', 'processed-rate');
  const circuit = compactFigure('circuit', f.circuit, 'circuit');
  if (f.circuit) circuit.dataset.circuit = f.circuit;
  const mark = traceMarks().get(group.group);
  if (mark) {
    root.dataset.traced = mark.status;
    name.title += '\ntraced event: ' + mark.status.replace('_', ' ');
  } else {
    delete root.dataset.traced;
  }
  root.replaceChildren(head, figs);
}

function renderGroup(group) {
  const {root} = card(group.group);
  root.dataset.status = group.status;
  root.dataset.lag = String(group.lag);
  root.dataset.state = group.state;
  if (isSubscription(group.group)) {
    renderCompact(group, root);
    if (group.figures) addGroupControls(group.group);
    return;
  }
  const f = group.figures || {};

  const head = el('header');
  head.appendChild(el('h3', group.group));
  head.appendChild(statusBadge(group.status));
  head.appendChild(el('span', group.state, 'muted'));

  const figs = el('div', undefined, 'figs');
  figure(figs, 'lag', count(group.lag), 'lag');
  figure(figs, 'time lag', duration(group.timeLagMillis), 'time-lag');
  figure(figs, 'catch up', group.etaSeconds === null ? 'not draining' : duration(group.etaSeconds * 1000), 'eta');
  figure(figs, 'processed', group.figures ? rate(group.processedPerSecond) : '–', 'processed-rate');
  figure(figs, 'committed', rate(group.consumedPerSecond), 'consumed-rate');
  const circuit = figure(figs, 'circuit', f.circuit, 'circuit');
  if (f.circuit) circuit.dataset.circuit = f.circuit;
  figure(figs, 'paused', f.paused === undefined ? '–' : (f.paused ? 'yes' : 'no'), 'paused');
  figure(figs, 'retries', f.retries, 'retries');
  figure(figs, 'dead letters', f.deadLetters, 'dead-letters');
  figure(figs, 'p99', f.latencyP99Millis === undefined ? '–' : f.latencyP99Millis + ' ms', 'p99');

  const members = el('div', undefined, 'members');
  members.appendChild(el('small', 'members ', 'muted'));
  group.members.forEach(m => {
    const name = memberName(group.group, m.memberId);
    const span = el('span', undefined, 'member');
    span.dataset.member = m.memberId;
    span.dataset.idle = String(m.idle);
    span.title = m.memberId + (m.idle ? ': idle, no partition' : ': partitions ' + ranges(m.partitions));
    span.appendChild(el('b', name));
    span.appendChild(m.idle ? el('span', ' IDLE', 'idle-flag') : el('span', ' p' + ranges(m.partitions)));
    members.appendChild(span);
  });
  if (group.members.length === 0) members.appendChild(el('span', 'none', 'idle-flag'));

  const parts = [head, figs, members];
  if (group.idleMembers > 0) {
    const warning = el('p', group.members.length + ' members for ' + group.partitions.length + ' partitions: '
      + group.idleMembers + ' idle, reading nothing', 'warning');
    warning.dataset.role = 'idle-warning';
    parts.push(warning);
  }
  const mark = traceMarks().get(group.group);
  if (mark) {
    const line = el('div', undefined, 'traced-line');
    line.dataset.role = 'traced';
    line.appendChild(el('small', 'traced event ', 'muted'));
    line.appendChild(chip(mark.entry, mark.status, mark.event));
    parts.push(line);
  }
  root.replaceChildren(...parts);
  // only a group run in this process has figures, and only such a group can be controlled from here
  if (group.figures) addGroupControls(group.group);
}

function renderGroups(groups) {
  const root = document.getElementById('groups');
  if (groups.length === 0) {
    root.replaceChildren(el('p', 'no groups yet', 'muted'));
    cards.clear();
    return;
  }
  const names = new Set(groups.map(g => g.group));
  for (const name of [...cards.keys()]) {
    if (!names.has(name)) { cards.get(name).row.remove(); cards.delete(name); }
  }
  groups.forEach(g => renderGroup(g));
  const wanted = groups.filter(g => !isSubscription(g.group)).map(g => cards.get(g.group).row);
  const compact = groups.filter(g => isSubscription(g.group)).map(g => cards.get(g.group).row);
  if (compact.length > 0) {
    if (!subscriptionsRow) {
      subscriptionsRow = el('div', undefined, 'group-row subscriptions-row');
      subscriptionsRow.appendChild(el('div', undefined, 'arrow'));
      const grid = el('div', undefined, 'subscription-groups');
      grid.id = 'subscription-groups';
      subscriptionsRow.appendChild(grid);
    }
    keepInOrder(subscriptionsRow.lastChild, compact);
    wanted.push(subscriptionsRow);
  }
  keepInOrder(root, wanted);
}

// replaces parent's children only when they are not already the wanted ones in order
function keepInOrder(parent, wanted) {
  if (wanted.some((node, i) => parent.children[i] !== node) || parent.children.length !== wanted.length) {
    parent.replaceChildren(...wanted);
  }
}

// ---- charts

function chartSize(id) {
  return {width: widthIn(document.getElementById(id), 300), height: 200};
}

function renderCharts(history) {
  if (!history) return;
  const names = Object.keys(history.groups);
  const key = names.join('|');
  const x = history.t.map(t => t / 1000);
  const lagData = [x, ...names.map(n => history.groups[n].lag)];
  const first = names[0];
  const throughputData = [x, ...names.map(n => history.groups[n].consumedPerSecond),
    first ? history.groups[first].producedPerSecond : x.map(() => null)];
  if (charts.key !== key || !charts.lag) {
    // the groups changed: new series, so new charts
    destroyCharts([charts.lag, charts.throughput]);
    const series = names.map((n, i) => ({label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false}));
    // a legend of names only (no values under the cursor) stays on one line below each chart
    const base = {scales: {x: {time: true}}, axes: [{}, {size: 60}], legend: {live: false}};
    charts.lag = chart({...base, ...chartSize('chart-lag'), series: [{}, ...series]}, lagData,
      document.getElementById('chart-lag'));
    charts.throughput = chart({...base, ...chartSize('chart-throughput'), series: [{},
      ...names.map((n, i) => ({label: n + ' committed/s', stroke: COLORS[i % COLORS.length], width: 2})),
      {label: 'published/s', stroke: '#888', dash: [5, 5], width: 1}]},
    throughputData, document.getElementById('chart-throughput'));
    charts.key = key;
  } else {
    charts.lag.setData(lagData);
    charts.throughput.setData(throughputData);
  }
}

function resizeCharts() {
  if (charts.lag) charts.lag.setSize(chartSize('chart-lag'));
  if (charts.throughput) charts.throughput.setSize(chartSize('chart-throughput'));
}

// ---- the stream

function render(snapshot) {
  lastSnapshot = snapshot;
  const groups = snapshot.groups || [];
  if (!topicName && groups.length > 0) topicName = groups[0].topic;
  renderOutbox(snapshot.outbox, groups);
  renderTopic(snapshot.topics || [], groups);
  renderGroups(groups);
  renderCharts(snapshot.history);
  const updated = document.getElementById('updated');
  updated.textContent = 'updated ' + timeOfDay(snapshot.at)
    + (snapshot.error ? ' · cannot read the stream: ' + snapshot.error : '');
  updated.dataset.at = String(snapshot.at);
}

/** Draws the newest snapshot again, after something it marks (the trace, the topic) changed. */
export function redraw() {
  if (lastSnapshot) render(lastSnapshot);
}

/** The topic the flow shows, once /api/info names it. */
export function showTopic(name) {
  if (name) topicName = name;
  redraw();
}

function connect() {
  const conn = document.getElementById('conn');
  const source = new EventSource('/api/live');
  source.addEventListener('open', () => { conn.textContent = 'live'; conn.dataset.state = 'live'; });
  source.addEventListener('snapshot', event => {
    try { render(JSON.parse(event.data)); } catch (e) { log('cannot draw a snapshot: ' + e.message, true); }
  });
  source.addEventListener('error', () => {
    conn.textContent = 'reconnecting…';
    conn.dataset.state = 'reconnecting';
    // the browser retries by itself unless the server answered with an error: then start over
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
}

export function startLive() {
  connect();
  window.addEventListener('resize', resizeCharts);
}
