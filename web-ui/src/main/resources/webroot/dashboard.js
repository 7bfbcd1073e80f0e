// The Fanout dashboard. The live view (the flow, the trace, the charts) reads public data only and needs no
// token; the controls below it are admin API calls carrying the token typed into this tab. Each concern is
// a module of js/; this one only wires them together, the live view first.

import {getJson} from './js/common.js';
import {startControls} from './js/controls.js';
import {redraw, showTopic, startLive} from './js/live.js';
import {startPublish, useAuth} from './js/publish.js';
import {startSubscriptions} from './js/subscriptions.js';
import {follow, startTraceInput, useTraceUrlTemplate} from './js/trace.js';

startLive();
startTraceInput(redraw);
getJson('/api/info').then(({json: info}) => {
  useAuth(info.auth);
  useTraceUrlTemplate(info.traceUrlTemplate);
  document.getElementById('info').textContent = 'version ' + info.version + ' · backend ' + info.backend
    + ' · ' + info.partitions + ' partitions of ' + info.topic + ' · search ' + info.search;
  showTopic(info.topic);
}).catch(() => {});
startPublish(follow);
startControls();
startSubscriptions();
