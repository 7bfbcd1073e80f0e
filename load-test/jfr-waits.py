#!/usr/bin/env python3
# usage: load-test/jfr-waits.py RECORDING.jfr   (e.g. from gatling.sh steady with APP_JAVA_OPTS=-XX:StartFlightRecording=...)
import sys, json, subprocess, collections, re
# What a steady run's JFR says about latency: how busy the machine was second by second, GC pauses,
# where the app's samples went by thread, and what the Lucene reopen thread waited on.
jfr = sys.argv[1]
def events(name):
    out = subprocess.run(['jfr', 'print', '--json', '--events', name, jfr], capture_output=True, text=True).stdout
    return json.loads(out)['recording']['events']
def dur_ms(v):
    # JFR JSON durations look like "PT0.012345S"
    m = re.match(r'PT(?:(\d+)M)?([\d.]+)S', v)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0
cpu = events('jdk.CPULoad')
machine = [e['values']['machineTotal'] for e in cpu]
jvm = [e['values']['jvmUser'] + e['values']['jvmSystem'] for e in cpu]
print('CPULoad samples %d: machine mean %.2f, seconds >=0.90: %d%%, >=0.98: %d%%; app JVM mean %.2f of the machine' % (
    len(machine), sum(machine) / len(machine), 100 * sum(m >= 0.90 for m in machine) / len(machine),
    100 * sum(m >= 0.98 for m in machine) / len(machine), sum(jvm) / len(jvm)))
gc = [dur_ms(e['values']['duration']) for e in events('jdk.GCPhasePause')]
print('GC pauses: %d, total %.0f ms, max %.0f ms, >=20 ms: %d' % (len(gc), sum(gc), max(gc or [0]), sum(g >= 20 for g in gc)))
comp = [dur_ms(e['values']['duration']) for e in events('jdk.Compilation')]
print('JIT compilations recorded (>=100 ms in profile): %d, total %.1f s' % (len(comp), sum(comp) / 1000))
threads = collections.Counter()
for e in events('jdk.ExecutionSample'):
    t = e['values']['sampledThread']
    name = (t.get('javaName') or t.get('osName') or '?') if t else '?'
    name = re.sub(r'[-\s]?\d+$', '', name)
    threads[name] += 1
total = sum(threads.values())
print('execution samples by thread (%d):' % total)
for name, n in threads.most_common(12):
    print('  %-45s %5.1f%%' % (name, 100.0 * n / total))
for kind in ('jdk.ThreadSleep', 'jdk.ThreadPark', 'jdk.JavaMonitorEnter', 'jdk.FileForce'):
    per = collections.defaultdict(list)
    for e in events(kind):
        t = e['values'].get('eventThread')
        name = re.sub(r'[-\s]?\d+$', '', (t.get('javaName') or '?') if t else '?')
        per[name].append(dur_ms(e['values']['duration']))
    for name, ds in sorted(per.items(), key=lambda kv: -sum(kv[1]))[:5]:
        ds.sort()
        print('%s %-40s n=%d total=%.0f ms p50=%.0f max=%.0f ms' % (kind, name, len(ds), sum(ds), ds[len(ds) // 2], ds[-1]))
