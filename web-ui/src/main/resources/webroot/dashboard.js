// The Fanout dashboard. The live view (the flow, the trace, the charts) reads public data only: /api/live
// (Server-Sent Events, one snapshot a second; EventSource reconnects by itself) and the trace API. The
// controls below it are admin API calls carrying the token typed into this tab. Everything is drawn with
// createElement and textContent only: nothing from the data is ever parsed as HTML.
'use strict';

const TOKEN_KEY = 'fanout.adminToken';
const STATUS_TEXT = {
  OK: 'keeping up', WARN: 'reading but falling behind', STALL: 'owned, but nothing committed',
  STOP: 'nobody reads it (paused or no owner)', ERR: 'committed offset went backwards'
};
const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f'];
// trace statuses after which nothing changes by itself (a dead letter waits for a replay)
const SETTLED = new Set(['processed', 'replayed', 'dead_lettered']);
const TRACE_POLL_MILLIS = 1000;

const cards = new Map();       // group name -> {row, root}
const controls = new Map();    // group name -> its controls element (groups run in this process)
const memberNames = new Map(); // group name -> Map(memberId -> short name), stable while the page is open
const charts = {lag: null, throughput: null, key: ''};
let topicName = null;          // the groups' topic, from /api/info or the first group
let lastSnapshot = null;

// ---- small DOM helpers: text only

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function role(name) {
  return document.querySelector('[data-role="' + name + '"]');
}

function table(headers, rows) {
  const t = el('table');
  const head = el('tr');
  headers.forEach(h => head.appendChild(el('th', h)));
  const thead = el('thead');
  thead.appendChild(head);
  t.appendChild(thead);
  const body = el('tbody');
  rows.forEach(r => body.appendChild(r));
  t.appendChild(body);
  return t;
}

function row(cells, attrs) {
  const tr = el('tr');
  Object.entries(attrs || {}).forEach(([k, v]) => tr.setAttribute(k, String(v)));
  cells.forEach(c => {
    const td = el('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '–' : String(c);
    tr.appendChild(td);
  });
  return tr;
}

function button(text, action, onClick) {
  const b = el('button', text);
  b.type = 'button';
  b.dataset.action = action;
  b.addEventListener('click', onClick);
  return b;
}

function duration(millis) {
  if (millis === null || millis === undefined) return '–';
  if (millis < 1000) return Math.round(millis) + ' ms';
  const s = millis / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function count(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en');
}

function rate(perSecond) {
  return perSecond === null || perSecond === undefined ? '–' : Number(perSecond).toLocaleString('en') + '/s';
}

function clock(value) {
  if (value === null || value === undefined) return '–';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleTimeString('en-GB') + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

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

function log(message, error) {
  const list = document.getElementById('log');
  const item = el('li', new Date().toLocaleTimeString() + '  ' + message, error ? 'error' : undefined);
  list.prepend(item);
  while (list.children.length > 30) list.lastChild.remove();
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

function strip(label, attrs, cells, className) {
  const s = el('div', undefined, 'strip' + (className ? ' ' + className : ''));
  Object.entries(attrs).forEach(([k, v]) => s.setAttribute(k, v));
  s.appendChild(el('span', label, 'strip-label'));
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
    rows.push(strip(g.group + ' lag', {'data-strip': g.group}, cells));
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

function card(name) {
  let entry = cards.get(name);
  if (entry) return entry;
  const groupRow = el('div', undefined, 'group-row');
  groupRow.appendChild(el('div', undefined, 'arrow'));
  const root = el('section', undefined, 'group');
  root.dataset.group = name;
  groupRow.appendChild(root);
  entry = {row: groupRow, root};
  cards.set(name, entry);
  return entry;
}

function renderGroup(group) {
  const {root} = card(group.group);
  root.dataset.status = group.status;
  root.dataset.lag = String(group.lag);
  root.dataset.state = group.state;
  const f = group.figures || {};

  const head = el('header');
  head.appendChild(el('h3', group.group));
  const badge = el('span', group.status, 'badge');
  badge.dataset.status = group.status;
  badge.dataset.role = 'status';
  badge.title = STATUS_TEXT[group.status] || '';
  head.appendChild(badge);
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
  if (group.figures && !controls.has(group.group)) groupControls(group.group);
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
  const wanted = groups.map(g => cards.get(g.group).row);
  if (wanted.some((node, i) => root.children[i] !== node) || root.children.length !== wanted.length) {
    root.replaceChildren(...wanted);
  }
}

// ---- charts (uPlot)

function chartSize(id) {
  const box = document.getElementById(id);
  return {width: Math.max(300, box.clientWidth), height: 200};
}

function renderCharts(history) {
  if (!history || typeof uPlot === 'undefined') return;
  const names = Object.keys(history.groups);
  const key = names.join('|');
  const x = history.t.map(t => t / 1000);
  const lagData = [x, ...names.map(n => history.groups[n].lag)];
  const first = names[0];
  const throughputData = [x, ...names.map(n => history.groups[n].consumedPerSecond),
    first ? history.groups[first].producedPerSecond : x.map(() => null)];
  if (charts.key !== key) {
    if (charts.lag) charts.lag.destroy();
    if (charts.throughput) charts.throughput.destroy();
    const series = names.map((n, i) => ({label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false}));
    // a legend of names only (no values under the cursor) stays on one line below each chart
    const base = {scales: {x: {time: true}}, axes: [{}, {size: 60}], legend: {live: false}};
    charts.lag = new uPlot({...base, ...chartSize('chart-lag'), series: [{}, ...series]}, lagData,
      document.getElementById('chart-lag'));
    charts.throughput = new uPlot({...base, ...chartSize('chart-throughput'), series: [{},
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

// ---- the live stream

function render(snapshot) {
  lastSnapshot = snapshot;
  const groups = snapshot.groups || [];
  if (!topicName && groups.length > 0) topicName = groups[0].topic;
  renderOutbox(snapshot.outbox, groups);
  renderTopic(snapshot.topics || [], groups);
  renderGroups(groups);
  renderCharts(snapshot.history);
  const updated = document.getElementById('updated');
  updated.textContent = 'updated ' + new Date(snapshot.at).toLocaleTimeString()
    + (snapshot.error ? ' · cannot read the stream: ' + snapshot.error : '');
  updated.dataset.at = String(snapshot.at);
}

function redraw() {
  if (lastSnapshot) render(lastSnapshot);
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

// ---- trace: an event, or every event of a blog, and where each group is with it

// what is traced now; gen grows with every new trace, so an answer for an older one is dropped
const trace = {gen: 0, id: null, kind: null, events: [], timer: null};

function traceState(text, polling) {
  document.getElementById('trace-state').textContent = text;
  document.getElementById('trace').dataset.polling = String(polling);
}

// group -> {partition, status, entry, event} of the newest traced event, for the flow picture
function traceMarks() {
  const marks = new Map();
  const event = trace.events[0];
  if (!event || event.partition === null || event.partition === undefined) return marks;
  (event.groups || []).forEach(g => marks.set(g.group, {partition: event.partition, status: g.status, entry: g, event}));
  return marks;
}

function chipText(entry, event) {
  switch (entry.status) {
    case 'pending':
      return 'pending' + (entry.behind === null || entry.behind === undefined ? ''
        : ' · ' + count(entry.behind) + ' before it');
    case 'processed': {
      const took = entry.processedAt && event && event.committedAt
        ? new Date(entry.processedAt).getTime() - new Date(event.committedAt).getTime() : NaN;
      return 'processed' + (Number.isNaN(took) ? '' : ' · +' + duration(Math.max(0, took)));
    }
    case 'retrying':
      return 'retrying' + (entry.attempts ? ' · ' + entry.attempts + ' attempts' : '');
    case 'dead_lettered': return 'dead-lettered';
    case 'replayed': return 'replayed';
    case 'not_sent': return 'not sent';
    default: return String(entry.status);
  }
}

function chip(entry, status, event) {
  const c = el('span', chipText(entry, event), 'chip');
  c.dataset.status = status;
  const details = [];
  if (entry.committedOffset !== null && entry.committedOffset !== undefined) {
    details.push('the group\'s committed offset ' + entry.committedOffset);
  }
  if (entry.processedAt) details.push('processed ' + clock(entry.processedAt));
  if (entry.attempts) details.push(entry.attempts + ' failed attempts');
  if (entry.lastError) details.push('last error: ' + entry.lastError);
  if (entry.deadLetteredAt) details.push('dead-lettered ' + clock(entry.deadLetteredAt));
  if (entry.replayedAt) details.push('replayed ' + clock(entry.replayedAt));
  c.title = details.join('\n');
  return c;
}

function shortId(id) {
  const s = el('span', id ? String(id).slice(0, 8) + '…' : '–', 'mono');
  if (id) s.title = String(id);
  return s;
}

function renderTrace(events) {
  const groupNames = [];
  events.forEach(e => (e.groups || []).forEach(g => { if (!groupNames.includes(g.group)) groupNames.push(g.group); }));
  const rows = events.map(e => {
    const where = e.partition === null || e.partition === undefined ? 'not sent'
      : 'p' + e.partition + ' @ ' + e.offset;
    const tr = row([e.type + ' v' + e.version, shortId(e.eventId), shortId(e.blogId), where, clock(e.committedAt),
      clock(e.sentAt)], {'data-trace-event': e.eventId});
    groupNames.forEach(name => {
      const entry = (e.groups || []).find(g => g.group === name);
      const td = el('td');
      td.dataset.traceGroup = name;
      if (entry) {
        td.dataset.status = entry.status;
        td.appendChild(chip(entry, entry.status, e));
      } else {
        td.textContent = '–';
      }
      tr.appendChild(td);
    });
    return tr;
  });
  document.getElementById('trace-result').replaceChildren(
    table(['event', 'event id', 'blog', 'partition @ offset', 'committed', 'sent', ...groupNames], rows));
}

function settled(events) {
  return events.every(e => (e.groups || []).length > 0 && e.groups.every(g => SETTLED.has(g.status)));
}

async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  let json = null;
  try { json = await response.json(); } catch (e) { /* no body */ }
  return {status: response.status, json};
}

// One look at the traced id; schedules the next while some group has yet to settle.
async function pollTrace(gen) {
  if (gen !== trace.gen) return;
  const id = trace.id;
  const path = '/' + encodeURIComponent(id);
  let answer;
  try {
    if (trace.kind !== 'blog') {
      answer = await getJson('/api/events' + path);
      if (answer.status === 200) trace.kind = 'event';
    }
    if (trace.kind === 'blog' || (trace.kind === null && answer.status === 404)) {
      answer = await getJson('/api/blogs' + path + '/events');
      if (answer.status === 200) trace.kind = 'blog';
    }
  } catch (e) {
    if (gen !== trace.gen) return;
    traceState('cannot reach the server (' + e.message + '); trying again', true);
    trace.timer = setTimeout(() => pollTrace(gen), TRACE_POLL_MILLIS);
    return;
  }
  if (gen !== trace.gen) return;
  if (answer.status === 200) {
    trace.events = trace.kind === 'event' ? [answer.json] : (answer.json.events || []);
    renderTrace(trace.events);
    redraw();
    const what = trace.kind === 'event' ? 'event' : 'blog, ' + trace.events.length + ' event(s)';
    if (trace.events.length > 0 && settled(trace.events)) {
      traceState(what + ': every group has it (' + new Date().toLocaleTimeString() + ')', false);
      return;
    }
    traceState(what + ': following, updated ' + new Date().toLocaleTimeString(), true);
  } else if (answer.status === 404 || answer.status === 400) {
    const message = answer.json && answer.json.message;
    trace.events = [];
    document.getElementById('trace-result').replaceChildren();
    redraw();
    traceState(answer.status === 404 ? 'no event and no blog has the id ' + id : 'not an id: ' + (message || id),
      false);
    return;
  } else {
    traceState('the trace answered HTTP ' + answer.status + ((answer.json && answer.json.message)
      ? ': ' + answer.json.message : '') + '; trying again', true);
  }
  trace.timer = setTimeout(() => pollTrace(gen), TRACE_POLL_MILLIS);
}

function startTrace(id) {
  clearTimeout(trace.timer);
  trace.gen++;
  trace.id = id;
  trace.kind = null;
  trace.events = [];
  document.getElementById('trace-result').replaceChildren();
  redraw();
  if (!id) { traceState('', false); return; }
  traceState('looking up ' + id + '…', true);
  pollTrace(trace.gen);
}

function traceInput() {
  const input = document.getElementById('trace-id');
  let typing = null;
  document.getElementById('trace-form').addEventListener('submit', event => {
    event.preventDefault();
    clearTimeout(typing);
    startTrace(input.value.trim());
  });
  // a pasted (or fully typed) id is traced at once; the button is for anything else
  input.addEventListener('input', () => {
    clearTimeout(typing);
    const id = input.value.trim();
    if (/^[0-9a-fA-F-]{32,36}$/.test(id) && id !== trace.id) typing = setTimeout(() => startTrace(id), 250);
  });
  document.getElementById('trace-clear').addEventListener('click', () => { input.value = ''; startTrace(''); });
}

// ---- admin calls (the controls panel)

function token() {
  return document.getElementById('admin-token').value.trim();
}

async function admin(method, path, body) {
  const headers = {Authorization: 'Bearer ' + token()};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  let json = null;
  try { json = await response.json(); } catch (e) { /* no body */ }
  if (!response.ok) {
    const reason = response.status === 401 ? 'the admin token was refused'
      : (json && json.message) || ('HTTP ' + response.status);
    throw new Error(reason);
  }
  return json;
}

async function control(label, method, path, body) {
  try {
    const answer = await admin(method, path, body);
    log(label + ': ' + JSON.stringify(answer));
    return answer;
  } catch (e) {
    log(label + ' failed: ' + e.message, true);
    return null;
  }
}

function groupControls(name) {
  const base = '/api/admin/groups/' + encodeURIComponent(name);
  const c = el('div');
  c.dataset.controls = name;
  c.appendChild(el('h3', name));
  c.appendChild(button('pause', 'pause', () => control(name + ' pause', 'POST', base + '/pause')));
  c.appendChild(button('resume', 'resume', () => control(name + ' resume', 'POST', base + '/resume')));
  c.appendChild(button('add member', 'add-member', () => control(name + ' add member', 'POST', base + '/members')));
  c.appendChild(button('remove member', 'remove-member', () => control(name + ' remove member', 'DELETE', base + '/members')));
  c.appendChild(button('crash a member', 'crash', () => control(name + ' crash', 'POST', base + '/crash')));
  c.appendChild(button('replay dead letters', 'replay', () => control(name + ' replay', 'POST', base + '/dead-letters/replay')));

  const reset = el('div');
  reset.dataset.role = 'reset';
  reset.appendChild(el('span', 'reset offsets to '));
  const to = el('select');
  to.dataset.role = 'reset-to';
  ['earliest', 'latest', 'timestamp'].forEach(v => { const o = el('option', v); o.value = v; to.appendChild(o); });
  const when = el('input');
  when.type = 'datetime-local';
  when.step = '1';
  when.dataset.role = 'reset-timestamp';
  const preview = el('div');
  preview.dataset.role = 'reset-preview';
  const apply = button('apply', 'reset-apply', () => doReset(false));
  apply.disabled = true;
  to.addEventListener('change', () => { apply.disabled = true; preview.replaceChildren(); });
  when.addEventListener('change', () => { apply.disabled = true; preview.replaceChildren(); });

  async function doReset(isPreview) {
    const body = {to: to.value, preview: isPreview};
    if (to.value === 'timestamp') {
      const ms = when.value ? new Date(when.value).getTime() : NaN;
      if (Number.isNaN(ms)) { log('reset: choose a date and time first', true); return; }
      body.timestamp = ms;
    }
    const answer = await control(name + (isPreview ? ' reset preview' : ' reset'), 'POST', base + '/reset', body);
    if (!answer) return;
    preview.replaceChildren(el('div', (isPreview ? 'would set' : 'set') + ' these offsets:'),
      table(['partition', 'new offset'], answer.offsets.map(o => row([o.partition, o.offset]))));
    apply.disabled = !isPreview;
  }

  reset.appendChild(to);
  reset.appendChild(when);
  reset.appendChild(button('preview', 'reset-preview', () => doReset(true)));
  reset.appendChild(apply);
  reset.appendChild(preview);
  c.appendChild(reset);
  controls.set(name, c);
  document.getElementById('group-controls').replaceChildren(...controls.values());
}

// ---- recent blogs, faults, publishing

async function refreshRecent() {
  try {
    const answer = await fetch('/api/search?limit=8').then(r => r.json());
    const list = document.getElementById('recent');
    list.replaceChildren(...(answer.hits || []).map(hit => {
      const item = el('li');
      item.dataset.blog = hit.blogId;
      item.title = 'trace blog ' + hit.blogId;
      item.appendChild(el('span', hit.title, 'title'));
      item.appendChild(el('span', 'by ' + hit.authorId, 'author'));
      item.addEventListener('click', () => {
        document.getElementById('trace-id').value = hit.blogId;
        startTrace(hit.blogId);
        window.scrollTo(0, 0);
      });
      return item;
    }));
  } catch (e) { /* the search engine may be down: keep the last list */ }
}

async function refreshFaults() {
  const list = document.getElementById('faults');
  if (!token()) { list.replaceChildren(el('li', 'enter the admin token to see the faults', 'muted')); return; }
  try {
    const answer = await admin('GET', '/api/admin/faults');
    list.replaceChildren(...(answer.faults.length === 0 ? [el('li', 'no faults', 'muted')]
      : answer.faults.map(f => {
        const item = el('li', JSON.stringify(f));
        item.dataset.fault = f.sink + '-' + f.mode;
        return item;
      })));
  } catch (e) {
    list.replaceChildren(el('li', 'faults: ' + e.message, 'muted'));
  }
}

async function injectFault(event) {
  event.preventDefault();
  const mode = document.getElementById('fault-mode').value;
  const body = {sink: document.getElementById('fault-sink').value, mode};
  const seconds = document.getElementById('fault-seconds').value;
  if (seconds) body.seconds = Number(seconds);
  if (mode === 'fail') body.rate = Number(document.getElementById('fault-rate').value);
  if (mode === 'latency') body.millis = Number(document.getElementById('fault-millis').value);
  await control('inject ' + body.sink + ' ' + mode, 'POST', '/api/admin/faults', body);
  refreshFaults();
}

// How writes are authenticated, from /api/info: {mode: 'tokens'|'none', tokensFrom: 'fanout'|'provider'|null}.
let auth = {mode: 'tokens', tokensFrom: 'fanout'};

// The Authorization header to publish as authorId: a token minted for it through the admin API (the
// embedded default), none when authentication is off; null when this dashboard cannot get one.
async function authorHeaders(authorId) {
  if (auth.mode === 'none') return {};
  if (auth.tokensFrom !== 'fanout') {
    log('publishing needs a token from the identity provider; the dashboard cannot mint one', true);
    return null;
  }
  try {
    const minted = await admin('POST', '/api/admin/authors/' + encodeURIComponent(authorId) + '/tokens',
      {ttlSeconds: 3600});
    return {Authorization: 'Bearer ' + minted.token};
  } catch (e) {
    log('could not mint a token for ' + authorId + ': ' + e.message, true);
    return null;
  }
}

async function publish(event) {
  event.preventDefault();
  const total = Math.max(1, Math.min(10000, Number(document.getElementById('publish-count').value) || 1));
  const authorId = document.getElementById('publish-author').value.trim() || 'dashboard';
  const title = document.getElementById('publish-title').value || 'Sample blog';
  const progress = document.getElementById('publish-progress');
  const headers = await authorHeaders(authorId);
  if (headers === null) return;
  headers['Content-Type'] = 'application/json';
  let done = 0;
  let failed = 0;
  let next = 0;
  let lastError = null;
  async function worker() {
    while (next < total) {
      const i = next++;
      const body = {authorId, title: total === 1 ? title : title + ' ' + (i + 1),
        body: 'Published from the dashboard.', tags: ['sample']};
      try {
        const r = await fetch('/api/blogs', {method: 'POST', headers, body: JSON.stringify(body)});
        if (r.ok) {
          done++;
        } else {
          failed++;
          try { lastError = (await r.json()).message; } catch (e) { lastError = 'HTTP ' + r.status; }
        }
      } catch (e) { failed++; lastError = e.message; }
      progress.textContent = done + ' / ' + total + (failed ? ' (' + failed + ' failed)' : '');
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
  log('published ' + done + ' blog(s) as ' + authorId + (failed ? ', ' + failed + ' failed: ' + lastError : ''),
    failed > 0);
  refreshRecent();
}

function start() {
  // the live view first: it needs no token
  connect();
  traceInput();
  fetch('/api/info').then(r => r.json()).then(info => {
    if (info.auth) auth = info.auth;
    if (info.topic) topicName = info.topic;
    document.getElementById('info').textContent = 'version ' + info.version + ' · backend ' + info.backend
      + ' · ' + info.partitions + ' partitions of ' + info.topic + ' · search ' + info.search;
    redraw();
  }).catch(() => {});
  refreshRecent();
  setInterval(refreshRecent, 2000);
  window.addEventListener('resize', resizeCharts);

  const input = document.getElementById('admin-token');
  input.value = sessionStorage.getItem(TOKEN_KEY) || '';
  input.addEventListener('input', () => { sessionStorage.setItem(TOKEN_KEY, input.value.trim()); refreshFaults(); });
  document.getElementById('admin-token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
    refreshFaults();
  });
  document.getElementById('fault-form').addEventListener('submit', injectFault);
  document.getElementById('fault-clear').addEventListener('click', async () => {
    await control('clear faults', 'DELETE', '/api/admin/faults');
    refreshFaults();
  });
  document.getElementById('publish-form').addEventListener('submit', publish);
  refreshFaults();
  setInterval(refreshFaults, 5000);
}

start();
