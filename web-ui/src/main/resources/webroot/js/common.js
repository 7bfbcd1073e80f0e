// What the dashboard and the lab page share: building elements, talking to the API, formatting numbers and
// times, the admin token field and the chart library. Elements are built with createElement and textContent
// only: nothing from the data is ever parsed as HTML.

// ---- elements, text only

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

export function table(headers, rows) {
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

// a cell per value: a node as it is, anything else as text ('–' for nothing)
export function row(cells, attrs) {
  const tr = el('tr');
  Object.entries(attrs || {}).forEach(([k, v]) => tr.setAttribute(k, String(v)));
  cells.forEach(c => {
    const td = el('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '–' : String(c);
    tr.appendChild(td);
  });
  return tr;
}

export function button(text, action, onClick) {
  const b = el('button', text);
  b.type = 'button';
  b.dataset.action = action;
  b.addEventListener('click', onClick);
  return b;
}

// ---- the API

// Resolves with any answer, {status, ok, json} (json null when the body is not JSON); rejects only when the
// server cannot be reached. Never from the HTTP cache: every answer describes now.
export async function request(method, path, {body, token, headers} = {}) {
  const sent = {Accept: 'application/json', ...headers};
  if (token !== undefined) sent.Authorization = 'Bearer ' + token;
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const response = await fetch(path, {method, headers: sent, cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body)});
  let json = null;
  try { json = await response.json(); } catch (e) { /* no JSON body */ }
  return {status: response.status, ok: response.ok, json};
}

export function getJson(path) {
  return request('GET', path);
}

// ---- the admin token, typed into the page and kept in this tab only (both pages share it)

const TOKEN_KEY = 'fanout.adminToken';

/**
 * Fills #admin-token from the tab's storage and keeps it there as it is typed; #admin-token-forget empties
 * both. Calls onChange after either. Returns a function answering the token as typed now.
 */
export function adminToken(onChange = () => {}) {
  const input = document.getElementById('admin-token');
  input.value = sessionStorage.getItem(TOKEN_KEY) || '';
  input.addEventListener('input', () => { sessionStorage.setItem(TOKEN_KEY, input.value.trim()); onChange(); });
  document.getElementById('admin-token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
    onChange();
  });
  return () => input.value.trim();
}

// ---- numbers and times

export function count(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en');
}

export function rate(perSecond) {
  return perSecond === null || perSecond === undefined ? '–' : Number(perSecond).toLocaleString('en') + '/s';
}

export function duration(millis) {
  if (millis === null || millis === undefined) return '–';
  if (millis < 1000) return Math.round(millis) + ' ms';
  const s = millis / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

export function seconds(millis) {
  return millis === null || millis === undefined ? null : (millis / 1000).toFixed(1) + ' s';
}

// to the millisecond, for comparing when an event was written, sent and processed
export function clock(value) {
  if (value === null || value === undefined) return '–';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleTimeString('en-GB') + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

// the reader's own time of day, for "updated at"; now when no value is given
export function timeOfDay(value = Date.now()) {
  return value === null ? '–' : new Date(value).toLocaleTimeString();
}

// ---- charts

// uPlot's IIFE build is a classic script placed before the modules, which run after it; null when it did not
// load, and then the pages show their numbers without charts.
const plot = typeof uPlot === 'undefined' ? null : uPlot;

/** A uPlot chart in box, or null without the library. */
export function chart(options, data, box) {
  return plot ? new plot(options, data, box) : null;
}

/** uPlot's bar path builder; without the library, the default (lines) that will never be drawn. */
export function bars(options) {
  return plot ? plot.paths.bars(options) : undefined;
}

/** Destroys the charts in the list and empties it: uPlot keeps listeners on the window until destroyed. */
export function destroyCharts(list) {
  list.splice(0).forEach(u => { if (u) u.destroy(); });
}

/** The width a chart can take in box, never under min (a hidden box measures 0). */
export function widthIn(box, min) {
  return Math.max(min, box.clientWidth);
}
