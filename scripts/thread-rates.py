#!/usr/bin/env python3
"""Per-thread cost of one driver_sync, from /proc counters (docs/performance.md, session 9).

Runs bench_driversync (2000 syncs of distinct types) with the given build and,
2 s into it, reads every thread's syscalls (/proc/<tid>/io syscr+syscw),
context switches (voluntary + involuntary) and CPU (utime+stime) of the
controller and its driver hosts, twice, 2 s apart; divides by the driver files
made in between.

usage: scripts/thread-rates.py [BUILD_DIR_WITH_control-nuc]   (default build/app)
       TMPDIR chooses where the bench's root goes, as for bench_driversync.
"""
import glob
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
app = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'build', 'app'))
bench = os.path.join(here, '..', 'build', 'tests', 'bench_driversync')
tmp = os.environ.get('TMPDIR', '/tmp')
run = subprocess.Popen([bench, '--syncs', '2000', '--distinct-types', '--binary', os.path.join(app, 'control-nuc'),
                        '--driver-host', os.path.join(app, 'control-nuc-driverhost')],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
time.sleep(1.5)
controller = subprocess.run(['pgrep', '-P', str(run.pid), '-x', 'control-nuc'], capture_output=True, text=True).stdout.split()
if not controller:
    sys.exit('no controller found under the bench (pid %d)' % run.pid)
pid = controller[0]
hosts = subprocess.run(['pgrep', '-P', pid], capture_output=True, text=True).stdout.split()
roots = glob.glob(os.path.join(tmp, 'bench_driversync-*'))


def snapshot():
    threads = {}
    for p in [pid] + hosts:
        for task in glob.glob('/proc/%s/task/*' % p):
            try:
                name = open(task + '/comm').read().strip()
                io = {line.split(':')[0]: int(line.split(':')[1]) for line in open(task + '/io')}
                status = open(task + '/status').read()
                switches = int(status.split('voluntary_ctxt_switches:')[1].split()[0]) + \
                    int(status.split('nonvoluntary_ctxt_switches:')[1].split()[0])
                fields = open(task + '/stat').read().rsplit(')', 1)[1].split()
                ticks = int(fields[11]) + int(fields[12])
                key = ('host ' if p != pid else '') + name + '/' + os.path.basename(task)
                threads[key] = (io['syscr'] + io['syscw'], switches, ticks)
            except (OSError, IndexError, KeyError, ValueError):
                pass
    files = sum(len(os.listdir(r + '/var/drivers')) for r in roots if os.path.isdir(r + '/var/drivers'))
    return threads, files


before, made_before = snapshot()
time.sleep(2.0)
after, made_after = snapshot()
out = run.communicate()[0].decode()
syncs = made_after - made_before
if syncs <= 0:
    sys.exit('no sync finished in the window')
tick_ms = 1000.0 / os.sysconf('SC_CLK_TCK')
print('%s: %d syncs in the window; %s' % (app, syncs, ' '.join(l.strip() for l in out.splitlines() if 'median' in l)))
total = [0.0, 0.0, 0.0]
for key in sorted(after):
    if key not in before:
        continue
    d = [(after[key][i] - before[key][i]) / syncs for i in range(3)]
    if sum(d) < 0.05:
        continue
    total = [total[i] + d[i] for i in range(3)]
    print('  %-28s syscalls %6.1f  switches %5.1f  CPU %.3f ms' % (key, d[0], d[1], d[2] * tick_ms))
print('  %-28s syscalls %6.1f  switches %5.1f  CPU %.3f ms' % ('per sync, all', total[0], total[1], total[2] * tick_ms))
