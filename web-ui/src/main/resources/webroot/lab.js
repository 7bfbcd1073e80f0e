// The lab page. Starting a lab is an admin API call (POST /api/admin/lab/runs) carrying the token typed into
// this tab (the dashboard's, shared through the tab's storage); everything else reads GET /api/lab, which is
// public: every second while a lab runs, every five seconds otherwise. The last result is drawn by
// js/lab-result.js.

import {adminToken, getJson, request} from './js/common.js';
import {DESIGN_COLORS, renderResult} from './js/lab-result.js';

const RUNNING_POLL_MILLIS = 1000;
const IDLE_POLL_MILLIS = 5000;

// the module runs once the page is parsed: the field is there
const token = adminToken();
let shownResult = '';   // startedAt|endedAt of the result on screen
let pollTimer = null;

// ---- starting a lab (admin token)

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
  say('starting…', false);
  let answer;
  try {
    answer = await request('POST', '/api/admin/lab/runs', {body: plan(), token: token()});
  } catch (e) {
    say('cannot reach the server: ' + e.message, true);
    return;
  }
  const json = answer.json;
  if (answer.status === 202) {
    say('started: ' + json.runs + ' runs', false);
    poll();
  } else if (answer.status === 401) {
    say('the admin token was refused', true);
  } else {
    const field = json && json.field ? ' (' + json.field + ')' : '';
    say('not started' + field + ': ' + ((json && json.message) || 'HTTP ' + answer.status), true);
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
    // drawn again only when another result arrived: redrawing the charts every poll would flicker
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

document.querySelectorAll('#designs [data-design] .swatch')
  .forEach(s => { s.style.background = DESIGN_COLORS[s.parentElement.dataset.design]; });
document.getElementById('lab-form').addEventListener('submit', startLab);
poll();
