// The Fanout dashboard. It listens to /api/live (Server-Sent Events, one snapshot a second; EventSource
// reconnects by itself) and draws with createElement and textContent only: nothing from the data is ever
// parsed as HTML. Every control is an admin API call carrying the token typed into this tab.
'use strict';

const TOKEN_KEY = 'fanout.adminToken';
const STATUS_TEXT = {
  OK: 'keeping up', WARN: 'reading but falling behind', STALL: 'owned, but nothing committed',
  STOP: 'nobody reads it (paused or no owner)', ERR: 'committed offset went backwards'
};
const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f'];
const cards = new Map();   // group name -> {root, data, controls}
const charts = {lag: null, throughput: null, key: ''};

// ---- small DOM helpers: text only

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function table(headers, rows) {
  const t = el('table');
  const head = el('tr');
  headers.forEach(h => head.appendChild(el('th', h)));
  t.appendChild(head);
  rows.forEach(row => t.appendChild(row));
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
  if (millis < 1000) return millis + ' ms';
  const s = millis / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function log(message, error) {
  const list = document.getElementById('log');
  const item = el('li', new Date().toLocaleTimeString() + '  ' + message, error ? 'error' : undefined);
  list.prepend(item);
  while (list.children.length > 30) list.lastChild.remove();
}

// ---- admin calls

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

// ---- groups

function figure(list, name, value, role) {
  const item = el('div');
  item.appendChild(el('dt', name));
  const dd = el('dd', value === null || value === undefined ? '–' : value);
  if (role) dd.dataset.role = role;
  item.appendChild(dd);
  list.appendChild(item);
}

function card(group) {
  let entry = cards.get(group.group);
  if (entry) return entry;
  const root = el('section', undefined, 'group');
  root.dataset.group = group.group;
  const data = el('div');
  data.dataset.role = 'data';
  root.appendChild(data);
  const controls = el('div', undefined, 'controls');
  controls.dataset.role = 'controls';
  root.appendChild(controls);
  entry = {root, data, controls, hasControls: false};
  cards.set(group.group, entry);
  return entry;
}

function groupControls(entry, name) {
  const base = '/api/admin/groups/' + encodeURIComponent(name);
  const c = entry.controls;
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
  entry.hasControls = true;
}

function renderGroup(group) {
  const entry = card(group);
  const {root, data} = entry;
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
  head.appendChild(el('span', group.state + ' · ' + group.topic, 'muted'));

  const figures = el('dl', undefined, 'figures');
  figure(figures, 'lag', group.lag, 'lag');
  figure(figures, 'time lag', duration(group.timeLagMillis), 'time-lag');
  figure(figures, 'processed/s', group.figures ? group.processedPerSecond : '–', 'processed-rate');
  figure(figures, 'committed/s', group.consumedPerSecond, 'consumed-rate');
  figure(figures, 'published/s', group.producedPerSecond, 'produced-rate');
  figure(figures, 'catch up in', group.etaSeconds === null ? 'not draining' : duration(group.etaSeconds * 1000), 'eta');
  figure(figures, 'retries', f.retries, 'retries');
  figure(figures, 'dead letters', f.deadLetters, 'dead-letters');
  figure(figures, 'replayed', f.replayed, 'replayed');
  figure(figures, 'circuit', f.circuit, 'circuit');
  figure(figures, 'paused', f.paused === undefined ? '–' : (f.paused ? 'yes' : 'no'), 'paused');
  figure(figures, 'p99 latency', f.latencyP99Millis === undefined ? '–' : f.latencyP99Millis + ' ms', 'p99');

  const parts = [head, figures];
  const partitionCount = group.partitions.length;
  if (group.idleMembers > 0) {
    const warning = el('p', group.members.length + ' members for ' + partitionCount + ' partitions: '
      + group.idleMembers + ' idle, reading nothing', 'warning');
    warning.dataset.role = 'idle-warning';
    parts.push(warning);
  }
  parts.push(table(['member', 'partitions'], group.members.map(m => {
    const cell = m.idle ? el('span', 'IDLE (no partition)', 'idle-flag') : m.partitions.join(', ');
    const tr = row([m.memberId, cell], {'data-member': m.memberId, 'data-idle': m.idle});
    if (m.idle) tr.className = 'idle';
    return tr;
  })));
  parts.push(table(['partition', 'committed', 'log end', 'lag', 'time lag', 'status', 'owner'],
    group.partitions.map(p => row([p.partition, p.committed, p.logEnd, p.lag, duration(p.timeLagMillis), p.status,
      p.owner], {'data-partition': p.partition, 'data-status': p.status, 'data-lag': p.lag}))));
  data.replaceChildren(...parts);
  if (group.figures && !entry.hasControls) groupControls(entry, group.group);
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
    if (!names.has(name)) { cards.get(name).root.remove(); cards.delete(name); }
  }
  groups.forEach(g => renderGroup(g));
  const wanted = groups.map(g => cards.get(g.group).root);
  if (wanted.some((node, i) => root.children[i] !== node) || root.children.length !== wanted.length) {
    root.replaceChildren(...wanted);
  }
}

function renderTopics(topics) {
  const root = document.getElementById('topics');
  root.replaceChildren(...topics.flatMap(t => {
    const title = el('h3', t.name);
    const tbl = table(['partition', 'start', 'end offset'],
      t.partitions.map(p => row([p.partition, p.startOffset, p.endOffset], {'data-partition': p.partition})));
    tbl.dataset.topic = t.name;
    return [title, tbl];
  }));
}

// ---- charts (uPlot)

function chartWidth() {
  return Math.max(320, Math.min(760, Math.floor((document.body.clientWidth - 80) / 2)));
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
    const base = {width: chartWidth(), height: 220, scales: {x: {time: true}}, axes: [{}, {size: 60}]};
    charts.lag = new uPlot({...base, series: [{}, ...series]}, lagData, document.getElementById('chart-lag'));
    charts.throughput = new uPlot({...base, series: [{},
      ...names.map((n, i) => ({label: n + ' committed/s', stroke: COLORS[i % COLORS.length], width: 2})),
      {label: 'published/s', stroke: '#888', dash: [5, 5], width: 1}]},
    throughputData, document.getElementById('chart-throughput'));
    charts.key = key;
  } else {
    charts.lag.setData(lagData);
    charts.throughput.setData(throughputData);
  }
}

// ---- the live stream

function render(snapshot) {
  renderGroups(snapshot.groups || []);
  renderTopics(snapshot.topics || []);
  renderCharts(snapshot.history);
  const updated = document.getElementById('updated');
  updated.textContent = 'updated ' + new Date(snapshot.at).toLocaleTimeString()
    + (snapshot.error ? ' · cannot read the stream: ' + snapshot.error : '');
  updated.dataset.at = String(snapshot.at);
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

// ---- recent blogs, faults, publishing

async function refreshRecent() {
  try {
    const answer = await fetch('/api/search?limit=8').then(r => r.json());
    const list = document.getElementById('recent');
    list.replaceChildren(...(answer.hits || []).map(hit => {
      const item = el('li');
      item.dataset.blog = hit.blogId;
      item.appendChild(el('span', hit.title, 'title'));
      item.appendChild(el('span', 'by ' + hit.authorId, 'author'));
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
  const count = Math.max(1, Math.min(10000, Number(document.getElementById('publish-count').value) || 1));
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
    while (next < count) {
      const i = next++;
      const body = {authorId, title: count === 1 ? title : title + ' ' + (i + 1),
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
      progress.textContent = done + ' / ' + count + (failed ? ' (' + failed + ' failed)' : '');
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
  log('published ' + done + ' blog(s) as ' + authorId + (failed ? ', ' + failed + ' failed: ' + lastError : ''),
    failed > 0);
  refreshRecent();
}

function start() {
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
  fetch('/api/info').then(r => r.json()).then(info => {
    if (info.auth) auth = info.auth;
    document.getElementById('info').textContent = 'version ' + info.version + ' · backend ' + info.backend
      + ' · ' + info.partitions + ' partitions of ' + info.topic + ' · search ' + info.search;
  }).catch(() => {});
  connect();
  refreshRecent();
  refreshFaults();
  setInterval(refreshRecent, 2000);
  setInterval(refreshFaults, 5000);
}

start();
