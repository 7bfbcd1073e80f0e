// The dashboard reads the JSON API and renders it as text only: nothing from the data becomes HTML.
'use strict';

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function table(headers, rows) {
  const t = el('table');
  const head = el('tr');
  headers.forEach(h => head.appendChild(el('th', h)));
  t.appendChild(head);
  rows.forEach(cells => {
    const tr = el('tr');
    cells.forEach(c => tr.appendChild(c instanceof Node ? wrap(c) : el('td', c)));
    t.appendChild(tr);
  });
  return t;
}

function wrap(node) {
  const td = el('td');
  td.appendChild(node);
  return td;
}

function renderGroups(groups) {
  const root = document.getElementById('groups');
  root.replaceChildren();
  if (groups.length === 0) {
    root.appendChild(el('p', 'no groups yet', 'muted'));
    return;
  }
  groups.forEach(g => {
    root.appendChild(el('h3', `${g.group} · ${g.state} · lag ${g.lag}`));
    root.appendChild(table(['member', 'partitions'], g.members.map(m => [
      m.memberId,
      m.idle ? el('span', 'idle', 'idle') : m.partitions.join(', ')
    ])));
    root.appendChild(table(['partition', 'committed', 'log end', 'lag'],
      g.partitions.map(p => [p.partition, p.committed, p.logEnd, p.lag])));
  });
}

function renderTopics(topics) {
  const root = document.getElementById('topics');
  root.replaceChildren();
  topics.forEach(t => {
    root.appendChild(el('h3', t.name));
    root.appendChild(table(['partition', 'start', 'end'],
      t.partitions.map(p => [p.partition, p.startOffset, p.endOffset])));
  });
}

async function refresh() {
  try {
    const [groups, topics] = await Promise.all([
      fetch('/api/groups').then(r => r.json()),
      fetch('/api/topics').then(r => r.json())
    ]);
    renderGroups(groups.groups);
    renderTopics(topics.topics);
  } catch (e) {
    document.getElementById('info').textContent = 'cannot reach the server: ' + e;
  }
}

fetch('/api/info').then(r => r.json()).then(info => {
  document.getElementById('info').textContent =
    `version ${info.version} · backend ${info.backend} · ${info.partitions} partitions`;
});
refresh();
setInterval(refresh, 1000);
