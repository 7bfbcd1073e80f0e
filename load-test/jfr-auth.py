#!/usr/bin/env python3
# usage: load-test/jfr-auth.py RECORDING.jfr APP_CPU_US_PER_PUBLISH   (the second from capacity.sh's line)
import sys, re, subprocess
# What checking author tokens costs, from a JFR recording of a capacity.sh run: the share of execution
# samples spent in the token check (vertx-web's JWTAuthHandler, vertx-auth, dev.fanout.auth), times the
# measured app CPU per publish. The handler passes a checked request on by calling the router's next(),
# so everything the later handlers do runs on top of its frames: a sample counts as the check only when
# an auth frame comes before (leaf-ward of) any router next().
jfr, us = sys.argv[1], float(sys.argv[2])
AUTH = ('io.vertx.ext.auth.', 'io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl',
        'io.vertx.ext.web.handler.impl.HTTPAuthorizationHandler', 'io.vertx.ext.web.handler.impl.AuthenticationHandlerImpl',
        'dev.fanout.auth.')
NEXT = ('io.vertx.ext.web.impl.RoutingContextImpl.next', 'io.vertx.ext.web.impl.RoutingContextImplBase.iterateNext',
        'io.vertx.ext.web.impl.RoutingContextWrapper.next')
out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '96', jfr],
                     capture_output=True, text=True).stdout
n = checks = 0
for ev in out.split('jdk.ExecutionSample')[1:]:
    n += 1
    for frame in re.findall(r'^\s+([\w.$]+\.[\w$<>]+)\(', ev, re.M):
        if frame.startswith(NEXT):
            break
        if frame.startswith(AUTH):
            checks += 1
            break
print('samples=%d token_check_samples=%d share=%.2f%% token_check_us_per_publish=%.1f'
      % (n, checks, 100.0 * checks / max(n, 1), us * checks / max(n, 1)))
