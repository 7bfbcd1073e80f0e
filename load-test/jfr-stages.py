#!/usr/bin/env python3
# usage: load-test/jfr-stages.py RECORDING.jfr APP_CPU_US_PER_PUBLISH   (the second from capacity.sh's line)
import sys, re, collections, subprocess
# Per-stage share of the app's CPU from a JFR recording: execution samples (Java code on Java threads)
# classified by stage, each stage's share times the measured app CPU per publish; plus GC and JIT time
# (threads JFR does not sample) from their own events, as seconds over the recording.
jfr, us = sys.argv[1], float(sys.argv[2])
STAGES = [
  ('search indexing (Lucene: writes, reopens, merges)', ['org.apache.lucene', 'dev.fanout.search']),
  ('stream (memory backend)', ['dev.fanout.stream.memory', 'dev.fanout.stream.kafka', 'org.apache.kafka', 'io.vertx.kafka']),
  ('relay (outbox package)', ['dev.fanout.outbox']),
  ('counter sink', ['dev.fanout.counter']),
  ('consumer pipeline', ['dev.fanout.consumer', 'io.github.resilience4j', 'io.micrometer']),
  ('publish (publisher, batcher)', ['dev.fanout.publisher', 'dev.fanout.db']),
  ('HTTP + JSON + validation', ['io.vertx.ext.web', 'io.vertx.core.http', 'io.netty.handler.codec.http', 'dev.fanout.http',
                                'com.fasterxml.jackson', 'io.vertx.core.json', 'dev.fanout.events']),
  ('SQL client (encoding, decoding)', ['io.vertx.pgclient', 'io.vertx.sqlclient']),
  ('network and event loop', ['io.netty', 'io.vertx.core']),
]
def stage(frames):
    for name, prefixes in STAGES:
        for f in frames:
            if any(f.startswith(p) for p in prefixes):
                return name
    return 'other (JDK)'
out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '96', jfr], capture_output=True, text=True).stdout
c = collections.Counter(); n = 0
for ev in out.split('jdk.ExecutionSample')[1:]:
    frames = re.findall(r'^\s+([\w.$]+)\.[\w$<>]+\(', ev, re.M)
    c[stage(frames)] += 1; n += 1
print('| stage | share of samples | µs per publish |')
print('|---|---|---|')
for name, k in c.most_common():
    print('| %s | %.0f%% | %.0f |' % (name, 100.0 * k / n, us * k / n))
def total(event, field):
    o = subprocess.run(['jfr', 'print', '--events', event, jfr], capture_output=True, text=True).stdout
    s = 0.0
    for m in re.finditer(field + r' = ([\d.]+) (ms|s|us)', o):
        v = float(m.group(1)); s += v / 1000 if m.group(2) == 'ms' else (v if m.group(2) == 's' else v / 1e6)
    return s
print('GC pauses: %.2f s; JIT compilations over 100 ms: %.2f s (in the 60 s window)' % (
    total('jdk.GCPhasePause', 'duration'), total('jdk.Compilation', 'duration')))
