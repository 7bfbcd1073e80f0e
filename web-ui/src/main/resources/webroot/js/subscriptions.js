// The Subscriptions panel, among the controls: the webhook subscriptions as the admin API lists them
// (GET /api/admin/subscriptions, every 2 s while the admin token is set), a row each with its buttons, and a
// form to add one. A secret (of a new subscription, or a rotated one) is shown here once and is written
// nowhere else: not to the log, not to the tab's storage.

import {adminToken, button, clock, count, el, request, table, timeOfDay} from './common.js';
import {admin, control, log} from './controls.js';

const BASE = '/api/admin/subscriptions';
const REFRESH_MILLIS = 2000;
const STATUS_TEXT = {
  active: 'delivering',
  starting: 'not running in this process yet',
  snapshot: 'delivering every live blog as it is now, before the events',
  paused: 'paused by an operator: nothing is delivered and its lag grows',
  circuit_open: 'its endpoint fails: deliveries wait until a probe gets through',
  expired: 'it held outbox rows too long and no longer does: resync starts it again from a snapshot'
};
// the API's fields shown as columns, in order, with their headers
const COLUMNS = [['name', 'name'], ['url', 'url'], ['status', 'status'], ['paused', 'paused'], ['lag', 'lag'],
  ['delivered', 'delivered'], ['failedAttempts', 'failed attempts'], ['deadLettered', 'dead-lettered'],
  ['lastDeliveryAt', 'last delivery'], ['lastError', 'last error']];

const rows = new Map(); // subscription name -> {tr, cells, pause, paused, group}
let token = () => '';
let loading = null;     // the list request in flight, if any
let again = false;      // asked to refresh while one was in flight: refresh once more after it

function byId(id) {
  return document.getElementById(id);
}

// only when it changed, so that text being selected (a URL being copied) stays selected across refreshes
function setText(node, text, title) {
  const value = text === null || text === undefined ? '–' : String(text);
  if (node.textContent !== value) node.textContent = value;
  const hover = title === undefined ? '' : String(title);
  if (node.title !== hover) node.title = hover;
}

function path(name, action) {
  return BASE + '/' + encodeURIComponent(name) + (action ? '/' + action : '');
}

// ---- the list

function newRow(name) {
  const tr = el('tr');
  tr.dataset.subscription = name;
  const cells = {};
  COLUMNS.forEach(([field]) => {
    const td = el('td', undefined, field);
    td.dataset.field = field;
    cells[field] = td;
    tr.appendChild(td);
  });
  const status = el('span', undefined, 'sub-status');
  cells.status.appendChild(status);
  cells.statusChip = status;
  const entry = {tr, cells, paused: false, group: 'sub-' + name};
  const actions = el('td', undefined, 'actions');
  entry.pause = button('pause', 'pause', () => {
    const verb = entry.paused ? 'resume' : 'pause';
    act(name + ' ' + verb, 'POST', path(name, verb), entry.pause);
  });
  actions.appendChild(entry.pause);
  actions.appendChild(button('replay dead letters', 'replay', event => act(name + ' replay dead letters', 'POST',
    '/api/admin/groups/' + encodeURIComponent(entry.group) + '/dead-letters/replay', event.currentTarget)));
  actions.appendChild(button('resync', 'resync', event => {
    if (!window.confirm('Resync ' + name + '? Its endpoint receives every live blog again (a snapshot), then '
      + 'the events from now on.')) return;
    act(name + ' resync', 'POST', path(name, 'resync'), event.currentTarget);
  }));
  actions.appendChild(button('rotate secret', 'rotate-secret', event => rotate(name, event.currentTarget)));
  actions.appendChild(button('delete', 'delete', event => remove(name, event.currentTarget)));
  tr.appendChild(actions);
  return entry;
}

function update(entry, s) {
  const c = entry.cells;
  entry.paused = s.paused;
  entry.group = s.group;
  setText(c.name, s.name, 'group ' + s.group + ' · from ' + s.startFrom + ' · at most ' + s.maxInFlight
    + ' in flight · timeout ' + s.timeoutMs + ' ms · created ' + s.createdAt);
  setText(c.url, s.url, s.url);
  c.statusChip.dataset.status = s.status;
  setText(c.statusChip, String(s.status).replace('_', ' '), (STATUS_TEXT[s.status] || '')
    + (s.expiredAt ? ' (expired ' + s.expiredAt + ')' : ''));
  setText(c.paused, s.paused ? 'yes' : 'no');
  setText(c.lag, count(s.lag));
  setText(c.delivered, count(s.delivered), 'delivered by this process since it started');
  setText(c.failedAttempts, count(s.failedAttempts), 'attempts that failed, in this process');
  setText(c.deadLettered, count(s.deadLettered));
  setText(c.lastDeliveryAt, s.lastDeliveryAt ? clock(s.lastDeliveryAt) : null, s.lastDeliveryAt || undefined);
  setText(c.lastError, s.lastError, s.lastError || undefined);
  const verb = s.paused ? 'resume' : 'pause';
  if (entry.pause.dataset.action !== verb) {
    entry.pause.dataset.action = verb;
    entry.pause.textContent = verb;
  }
}

function render(subscriptions) {
  const body = byId('subscription-list').querySelector('tbody');
  const names = new Set(subscriptions.map(s => s.name));
  for (const [name, entry] of [...rows]) {
    if (!names.has(name)) { entry.tr.remove(); rows.delete(name); }
  }
  const wanted = subscriptions.map(s => {
    let entry = rows.get(s.name);
    if (!entry) { entry = newRow(s.name); rows.set(s.name, entry); }
    update(entry, s);
    return entry.tr;
  });
  if (wanted.some((tr, i) => body.children[i] !== tr) || body.children.length !== wanted.length) {
    body.replaceChildren(...wanted);
  }
  byId('subscription-list').hidden = wanted.length === 0;
}

function clear(text) {
  rows.clear();
  byId('subscription-list').querySelector('tbody').replaceChildren();
  byId('subscription-list').hidden = true;
  byId('subscriptions-state').textContent = text;
}

async function load() {
  if (!token()) { clear('enter the admin token above to see the subscriptions'); return; }
  try {
    const answer = await admin('GET', BASE);
    // the token may have been forgotten while the answer was on its way
    if (!token()) { clear('enter the admin token above to see the subscriptions'); return; }
    render(answer.subscriptions);
    byId('subscriptions-state').textContent = (answer.subscriptions.length === 0
      ? 'no subscriptions yet: add one below' : answer.subscriptions.length + ' subscription(s)')
      + ' · updated ' + timeOfDay();
  } catch (e) {
    byId('subscriptions-state').textContent = 'subscriptions: ' + e.message;
  }
}

/** Lists the subscriptions again now; a call while a list request is in flight asks for one more after it. */
function refresh() {
  if (loading) { again = true; return loading; }
  loading = load().finally(() => {
    loading = null;
    if (again) { again = false; refresh(); }
  });
  return loading;
}

// ---- the buttons

async function act(label, method, target, pressed) {
  pressed.disabled = true;
  try {
    await control(label, method, target);
  } finally {
    pressed.disabled = false;
    refresh();
  }
}

async function rotate(name, pressed) {
  pressed.disabled = true;
  try {
    const answer = await admin('POST', path(name, 'secret'));
    showSecret('The new secret of ' + answer.name, answer.name, answer.secret,
      'The previous one also signs for 24 hours: time enough to give the receiver this one.');
    log(name + ' rotate secret: done (the new secret is shown once, in the Subscriptions panel)');
  } catch (e) {
    log(name + ' rotate secret failed: ' + e.message, true);
  } finally {
    pressed.disabled = false;
  }
}

async function remove(name, pressed) {
  if (!window.confirm('Delete the subscription ' + name + '? Its endpoint gets nothing more, and its group, '
    + 'dead letters and secret are gone.')) return;
  const entry = rows.get(name);
  if (entry) entry.tr.querySelectorAll('button').forEach(b => { b.disabled = true; });
  // answered once every instance let go (or after 15 s, "pending"); the row goes with the next list
  await control(name + ' delete', 'DELETE', path(name));
  if (entry) entry.tr.querySelectorAll('button').forEach(b => { b.disabled = false; });
  refresh();
}

// ---- the secret, shown once

function showSecret(heading, name, secret, note) {
  const box = byId('subscription-secret');
  const value = el('code', secret, 'secret-value');
  value.dataset.role = 'secret-value';
  const copy = button('copy', 'copy-secret', () => {
    if (navigator.clipboard) navigator.clipboard.writeText(secret).then(() => { copy.textContent = 'copied'; }, () => {});
  });
  const hide = button('I have kept it: hide it', 'hide-secret', () => {
    box.replaceChildren();
    box.hidden = true;
  });
  const head = el('p');
  head.appendChild(el('strong', heading + ': '));
  head.appendChild(value);
  head.appendChild(copy);
  box.dataset.subscription = name;
  box.replaceChildren(head,
    el('p', 'Copy it now: it is shown this once and cannot be read again (rotating it gives a new one). '
      + 'The receiver checks each delivery\'s webhook-signature with it. ' + (note || ''), 'warning'),
    hide);
  box.hidden = false;
}

// ---- adding one

function fieldInput(field) {
  return {name: 'subscription-name', url: 'subscription-url', startFrom: 'subscription-start',
    timestamp: 'subscription-timestamp', maxInFlight: 'subscription-max-in-flight',
    timeoutMs: 'subscription-timeout'}[field];
}

function refuse(message, field) {
  byId('subscription-error').textContent = message;
  const id = fieldInput(field);
  if (id) {
    byId(id).setAttribute('aria-invalid', 'true');
    byId(id).focus();
  }
}

async function add(event) {
  event.preventDefault();
  const form = byId('subscription-form');
  form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
  byId('subscription-error').textContent = '';
  const body = {name: byId('subscription-name').value.trim(), url: byId('subscription-url').value.trim(),
    startFrom: byId('subscription-start').value};
  if (body.startFrom === 'timestamp') {
    const when = byId('subscription-timestamp').value;
    const ms = when ? new Date(when).getTime() : NaN;
    if (Number.isNaN(ms)) { refuse('choose a date and time to start from', 'timestamp'); return; }
    body.timestamp = ms;
  }
  const maxInFlight = byId('subscription-max-in-flight').value;
  if (maxInFlight !== '') body.maxInFlight = Number(maxInFlight);
  const timeoutMs = byId('subscription-timeout').value;
  if (timeoutMs !== '') body.timeoutMs = Number(timeoutMs);

  const submit = byId('subscription-add');
  submit.disabled = true;
  try {
    const answer = await request('POST', BASE, {body, token: token()});
    if (!answer.ok) {
      const message = answer.status === 401 ? 'the admin token was refused'
        : (answer.json && answer.json.message) || ('HTTP ' + answer.status);
      refuse(message, answer.json && answer.json.field);
      log('add subscription ' + body.name + ' failed: ' + message, true);
      return;
    }
    const {secret, ...shown} = answer.json;
    showSecret('The secret of ' + shown.name, shown.name, secret);
    log('add subscription ' + shown.name + ': ' + JSON.stringify(shown) + ' (the secret is shown once, above the form)');
    byId('subscription-name').value = '';
  } catch (e) {
    log('add subscription ' + body.name + ' failed: ' + e.message, true);
  } finally {
    submit.disabled = false;
    refresh();
  }
}

function showTimestamp() {
  byId('subscription-timestamp-label').hidden = byId('subscription-start').value !== 'timestamp';
}

/** Wires the panel and lists the subscriptions every 2 s while the admin token is set. */
export function startSubscriptions() {
  const list = table(COLUMNS.map(([, header]) => header).concat(['']), []);
  list.id = 'subscription-list';
  list.hidden = true;
  byId('subscription-list-holder').replaceChildren(list);
  token = adminToken(refresh);
  byId('subscription-form').addEventListener('submit', add);
  byId('subscription-start').addEventListener('change', showTimestamp);
  showTimestamp();
  refresh();
  setInterval(refresh, REFRESH_MILLIS);
}
