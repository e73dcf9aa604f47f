import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPercent, hostCpuPercent, parseHostStat, parseProcStat, parseProcStatusRss, readHostCpu, readProcess } from '../../src/monitor/proc-stats.js';

describe('/proc readings of the load generator', () => {
  it('parses utime+stime even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (k6 (run) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 1000000 2000 18446744073709551615';
    assert.deepEqual(parseProcStat(stat), { cpuSeconds: 3 });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('parses VmRSS in bytes', () => {
    assert.equal(parseProcStatusRss('Name:\tk6\nVmPeak:\t 9 kB\nVmRSS:\t   51200 kB\n'), 51200 * 1024);
    assert.equal(parseProcStatusRss('Name:\tzombie\n'), undefined);
  });

  it('computes process CPU % (100 = one core) and machine CPU % (0-100)', () => {
    assert.equal(cpuPercent(1.0, 1.5, 1000), 50);
    assert.equal(cpuPercent(1.0, 3.0, 1000), 200);
    assert.equal(cpuPercent(1.0, 1.5, 0), 0);
    const a = parseHostStat('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3');
    const b = parseHostStat('cpu  250 0 150 850 150 0 0 0 0 0\n');
    assert.deepEqual(a, { busy: 200, total: 1000 });
    assert.ok(a && b);
    assert.equal(hostCpuPercent(a, b), 50);
  });

  it('reads this process and the machine from the real /proc', () => {
    const self = readProcess('self');
    assert.ok(self);
    const rss = process.memoryUsage().rss;
    assert.ok(Math.abs(self.rssBytes - rss) < rss * 0.5, `${self.rssBytes} vs ${rss}`);
    assert.ok(self.cpuSeconds > 0);
    assert.equal(readProcess(2 ** 22 + 7), undefined);
    const host = readHostCpu();
    assert.ok(host && host.total > host.busy && host.busy > 0);
  });
});
