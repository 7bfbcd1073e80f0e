// Trace: an event, or every event of a blog, and where each group is with it. Public data only
// (GET /api/events/{id}, else GET /api/blogs/{id}/events), asked again every second until every group has
// settled every shown event. The flow marks the newest traced event through traceMarks() and chip().

import {clock, count, duration, el, getJson, row, table, timeOfDay} from './common.js';

// trace statuses after which nothing changes by itself (a dead letter waits for a replay; a skipped event was
// passed over on purpose); 'lost' is not one: the relay sends it again
const SETTLED = new Set(['processed', 'replayed', 'dead_lettered', 'skipped']);
const POLL_MILLIS = 1000;

// what is traced now; gen grows with every new trace, so an answer for an older one is dropped
const trace = {gen: 0, id: null, kind: null, events: [], timer: null};
// told whenever the traced events change, for the flow to mark them
let changed = () => {};
// a trace viewer's URL with {traceId} in it (--trace-url-template, from /api/info), or null: no link
let traceUrlTemplate = null;

/** Links each traced event's trace to a trace viewer from now on; null or empty: no link. */
export function useTraceUrlTemplate(template) {
  traceUrlTemplate = template || null;
}

function traceState(text, polling) {
  document.getElementById('trace-state').textContent = text;
  document.getElementById('trace').dataset.polling = String(polling);
}

/** group -> {partition, status, entry, event} of the newest traced event. */
export function traceMarks() {
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
    case 'skipped': return 'skipped';
    case 'lost': return 'lost · sending again';
    default: return String(entry.status);
  }
}

/** One group's status of an event, the details on hover. */
export function chip(entry, status, event) {
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
  if (entry.skippedAt) details.push('skipped ' + clock(entry.skippedAt) + ' (the group was moved past it)');
  if (entry.status === 'lost') details.push('it left the stream before the group read it');
  c.title = details.join('\n');
  return c;
}

function shortId(id) {
  const s = el('span', id ? String(id).slice(0, 8) + '…' : '–', 'mono');
  if (id) s.title = String(id);
  return s;
}

// The trace of the request that made the event: "trace <id>", a link with a trace URL template; "–" when
// tracing was off when it was made.
function traceCell(e) {
  if (!e.traceId) return el('span', '–', 'muted');
  const id = String(e.traceId);
  const text = 'trace ' + id.slice(0, 8) + '…';
  let node;
  if (traceUrlTemplate) {
    node = el('a', text, 'mono');
    node.href = traceUrlTemplate.split('{traceId}').join(encodeURIComponent(id));
    node.target = '_blank';
    node.rel = 'noopener';
  } else {
    node = el('span', text, 'mono');
  }
  node.title = 'trace ' + id + (e.sampled === false ? ' (not sampled: the trace viewer has none of its spans)' : '');
  node.dataset.traceId = id;
  if (e.sampled !== false) return node;
  const both = el('span');
  both.append(node, ' ', el('span', 'not sampled', 'muted'));
  return both;
}

function renderTrace(events) {
  const groupNames = [];
  events.forEach(e => (e.groups || []).forEach(g => { if (!groupNames.includes(g.group)) groupNames.push(g.group); }));
  const rows = events.map(e => {
    const where = e.partition === null || e.partition === undefined ? 'not sent'
      : 'p' + e.partition + ' @ ' + e.offset;
    const tr = row([e.type + ' v' + e.version, shortId(e.eventId), shortId(e.blogId), where, clock(e.committedAt),
      clock(e.sentAt), traceCell(e)], {'data-trace-event': e.eventId});
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
    table(['event', 'event id', 'blog', 'partition @ offset', 'committed', 'sent', 'trace', ...groupNames], rows));
}

function settled(events) {
  return events.every(e => (e.groups || []).length > 0 && e.groups.every(g => SETTLED.has(g.status)));
}

// One look at the traced id; schedules the next while some group has yet to settle.
async function poll(gen) {
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
    trace.timer = setTimeout(() => poll(gen), POLL_MILLIS);
    return;
  }
  if (gen !== trace.gen) return;
  if (answer.status === 200) {
    trace.events = trace.kind === 'event' ? [answer.json] : (answer.json.events || []);
    renderTrace(trace.events);
    changed();
    const what = trace.kind === 'event' ? 'event' : 'blog, ' + trace.events.length + ' event(s)';
    if (trace.events.length > 0 && settled(trace.events)) {
      traceState(what + ': every group has it (' + timeOfDay() + ')', false);
      return;
    }
    traceState(what + ': following, updated ' + timeOfDay(), true);
  } else if (answer.status === 404 || answer.status === 400) {
    const message = answer.json && answer.json.message;
    trace.events = [];
    document.getElementById('trace-result').replaceChildren();
    changed();
    traceState(answer.status === 404 ? 'no event and no blog has the id ' + id : 'not an id: ' + (message || id),
      false);
    return;
  } else {
    traceState('the trace answered HTTP ' + answer.status + ((answer.json && answer.json.message)
      ? ': ' + answer.json.message : '') + '; trying again', true);
  }
  trace.timer = setTimeout(() => poll(gen), POLL_MILLIS);
}

/** Follows id from now on (an empty id stops following). */
function startTrace(id) {
  clearTimeout(trace.timer);
  trace.gen++;
  trace.id = id;
  trace.kind = null;
  trace.events = [];
  document.getElementById('trace-result').replaceChildren();
  changed();
  if (!id) { traceState('', false); return; }
  traceState('looking up ' + id + '…', true);
  poll(trace.gen);
}

/** Wires the trace box; onChange runs whenever the traced events change. */
export function startTraceInput(onChange) {
  changed = onChange;
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

/** Puts id into the trace box and follows it, as pasting it would, with the trace box in view. */
export function follow(id) {
  document.getElementById('trace-id').value = id;
  startTrace(id);
  window.scrollTo(0, 0);
}
