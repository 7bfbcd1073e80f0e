// Publishing sample blogs from the controls, and the recent blogs they (and everyone else's) became: the
// newest the search group indexed, each a click away from its trace.

import {el, getJson, request} from './common.js';
import {admin, log} from './controls.js';

// How writes are authenticated, from /api/info: {mode: 'tokens'|'none', tokensFrom: 'fanout'|'provider'|null}.
let auth = {mode: 'tokens', tokensFrom: 'fanout'};
// what a click on a recent blog does
let pick = () => {};

export function useAuth(info) {
  if (info) auth = info;
}

// The headers to publish as authorId: a token minted for it through the admin API (the embedded default),
// none when authentication is off; null when this dashboard cannot get one.
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
        const answer = await request('POST', '/api/blogs', {body, headers});
        if (answer.ok) {
          done++;
        } else {
          failed++;
          lastError = (answer.json && answer.json.message) || 'HTTP ' + answer.status;
        }
      } catch (e) { failed++; lastError = e.message; }
      progress.textContent = done + ' / ' + total + (failed ? ' (' + failed + ' failed)' : '');
    }
  }
  // four at a time: quick enough for thousands, without queueing them all in the browser
  await Promise.all([worker(), worker(), worker(), worker()]);
  log('published ' + done + ' blog(s) as ' + authorId + (failed ? ', ' + failed + ' failed: ' + lastError : ''),
    failed > 0);
  refreshRecent();
}

async function refreshRecent() {
  let answer;
  try {
    answer = await getJson('/api/search?limit=8');
  } catch (e) {
    return;
  }
  // the search engine may be down: keep the last list
  if (answer.status !== 200 || !answer.json) return;
  document.getElementById('recent').replaceChildren(...(answer.json.hits || []).map(hit => {
    const item = el('li');
    item.dataset.blog = hit.blogId;
    item.title = 'trace blog ' + hit.blogId;
    item.appendChild(el('span', hit.title, 'title'));
    item.appendChild(el('span', 'by ' + hit.authorId, 'author'));
    item.addEventListener('click', () => pick(hit.blogId));
    return item;
  }));
}

/** Wires the publish form and keeps the recent blogs fresh; onPick gets the id of a recent blog clicked. */
export function startPublish(onPick) {
  pick = onPick;
  document.getElementById('publish-form').addEventListener('submit', publish);
  refreshRecent();
  setInterval(refreshRecent, 2000);
}
