// The dashboard's controls, below the first screen: every one an admin API call carrying the token typed into
// this tab, its answer written to the log. Per group run in this process: pause, resume, members, crash,
// replay, reset offsets (preview, then apply); for the process: faults.

import {adminToken, button, el, request, row, table, timeOfDay} from './common.js';

const controls = new Map(); // group name -> its controls element
let token = () => '';

export function log(message, error) {
  const list = document.getElementById('log');
  const item = el('li', timeOfDay() + '  ' + message, error ? 'error' : undefined);
  list.prepend(item);
  while (list.children.length > 30) list.lastChild.remove();
}

/** The answer's JSON; rejects with a reason a person can read when the call was refused or failed. */
export async function admin(method, path, body) {
  const answer = await request(method, path, {body, token: token()});
  if (!answer.ok) {
    throw new Error(answer.status === 401 ? 'the admin token was refused'
      : (answer.json && answer.json.message) || ('HTTP ' + answer.status));
  }
  return answer.json;
}

/** An admin call whose answer (or refusal) goes to the log; resolves with the answer's JSON, or null. */
export async function control(label, method, path, body) {
  try {
    const answer = await admin(method, path, body);
    log(label + ': ' + JSON.stringify(answer));
    return answer;
  } catch (e) {
    log(label + ' failed: ' + e.message, true);
    return null;
  }
}

/** Shows the controls of a group that runs in this process, once. */
export function addGroupControls(name) {
  if (controls.has(name)) return;
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
  c.appendChild(resetControls(name, base));
  controls.set(name, c);
  document.getElementById('group-controls').replaceChildren(...controls.values());
}

// Reset offsets: a preview shows the offsets a reset would set; apply is enabled only right after one, so
// what is applied is what was seen.
function resetControls(name, base) {
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
  return reset;
}

// ---- faults

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

export function startControls() {
  token = adminToken(refreshFaults);
  document.getElementById('fault-form').addEventListener('submit', injectFault);
  document.getElementById('fault-clear').addEventListener('click', async () => {
    await control('clear faults', 'DELETE', '/api/admin/faults');
    refreshFaults();
  });
  refreshFaults();
  setInterval(refreshFaults, 5000);
}
