import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '@hostpulse/shared';
import { networkSampler } from './network.js';
import {
  samplerConfig, samplerContext, seriesByKey, snapshotRoot, testClock, type SnapshotRoot,
} from '../../test/fixtures/snapshot-root.js';

let root: SnapshotRoot | undefined;
afterEach(async () => root?.remove());

async function twoReadings(situation: string, options: object = {}) {
  root = await snapshotRoot(situation);
  const clock = testClock();
  const sampler = networkSampler.create(samplerContext(root.rootDir, clock), samplerConfig(networkSampler, options));
  const first = await sampler.sample(clock.now());
  await root.show('t1');
  clock.advance(10_000);
  return { first, second: await sampler.sample(clock.now()) };
}

describe('network sampler', () => {
  it('has the default exclude list of the spec', () => {
    expect(samplerConfig(networkSampler)).toEqual({ excludeInterfaces: ['lo', 'veth*'] });
  });

  it('refuses an exclude list that is not a list, naming the key and the value', () => {
    const { problems } = validateConfig(networkSampler.config, { exclude_interfaces: 'veth*' });
    expect(problems).toEqual([{ path: 'exclude_interfaces', message: 'expected a list, got string "veth*"' }]);
  });

  it('reports per-second rates from the second reading on, without lo and veth*', async () => {
    // fixtures/basic-host, 10 s apart:
    // eth0 rx bytes 1000000 → 26000000: 25000000/10 = 2500000 B/s; rx errs 10 → 15: 0.5/s
    //      tx bytes 500000 → 5500000: 5000000/10 = 500000 B/s;     tx errs 0 → 2: 0.2/s
    // docker0 rx 2000 → 3000: 100 B/s; tx 3000 → 43000: 4000 B/s; no errors
    const { first, second } = await twoReadings('basic-host');
    expect(first).toEqual({ series: [], problems: [] });
    expect(seriesByKey(second.series)).toEqual({
      'network_receive_bytes_per_second{interface=eth0}': 2_500_000,
      'network_transmit_bytes_per_second{interface=eth0}': 500_000,
      'network_receive_errors_per_second{interface=eth0}': 0.5,
      'network_transmit_errors_per_second{interface=eth0}': 0.2,
      'network_receive_bytes_per_second{interface=docker0}': 100,
      'network_transmit_bytes_per_second{interface=docker0}': 4000,
      'network_receive_errors_per_second{interface=docker0}': 0,
      'network_transmit_errors_per_second{interface=docker0}': 0,
    });
    expect(second.problems).toEqual([]);
  });

  it('honours a configured exclude list', async () => {
    const { second } = await twoReadings('basic-host', { exclude_interfaces: ['eth*', 'docker0'] });
    // lo: 5000 → 9000 bytes both ways = 400 B/s; veth1a2b3c rx 7000 → 17000 = 1000 B/s
    const values = seriesByKey(second.series);
    expect(Object.keys(values).filter((k) => k.includes('eth0') || k.includes('docker0'))).toEqual([]);
    expect(values['network_receive_bytes_per_second{interface=lo}']).toBe(400);
    expect(values['network_receive_bytes_per_second{interface=veth1a2b3c}']).toBe(1000);
  });

  it('reads a 32-bit counter passing 2^32 as a wrap', async () => {
    // fixtures/counter-wrap, 10 s apart, 2^32 = 4294967296:
    // rx 4294000000 → 32704: (4294967296 − 4294000000) + 32704 = 1000000 → 100000 B/s
    // tx 4294967000 → 1704:  296 + 1704 = 2000 → 200 B/s
    const { second } = await twoReadings('counter-wrap');
    expect(seriesByKey(second.series)).toEqual({
      'network_receive_bytes_per_second{interface=eth0}': 100_000,
      'network_transmit_bytes_per_second{interface=eth0}': 200,
      'network_receive_errors_per_second{interface=eth0}': 0,
      'network_transmit_errors_per_second{interface=eth0}': 0,
    });
  });

  it('gives no rate for counters that were reset, and never a negative one', async () => {
    // fixtures/counter-reset (eth0 re-created between readings):
    // rx bytes 9000000000 → 5000 (drop from above 2^32: reset), tx bytes 100000 → 100 (drop in
    // the lower half of the 32-bit range: reset), rx errs 7 → 0 (reset), tx errs 0 → 0: 0/s
    const { second } = await twoReadings('counter-reset');
    expect(seriesByKey(second.series)).toEqual({ 'network_transmit_errors_per_second{interface=eth0}': 0 });
  });

  it('drops an interface that disappears and rates a new one from its second reading', async () => {
    // fixtures/interface-disappears, 10 s apart: t0 eth0 eth1; t1 eth0 eth2; t2 eth0 eth2
    // t0→t1: eth0 rx 1000 → 11000 = 1000 B/s; eth1 gone; eth2 first seen
    // t1→t2: eth0 rx 11000 → 31000 = 2000 B/s; eth2 rx 500 → 5500 = 500 B/s, tx 100 → 1100 = 100 B/s
    root = await snapshotRoot('interface-disappears');
    const clock = testClock();
    const sampler = networkSampler.create(samplerContext(root.rootDir, clock), samplerConfig(networkSampler));
    await sampler.sample(clock.now());
    await root.show('t1');
    clock.advance(10_000);
    const second = await sampler.sample(clock.now());
    expect(seriesByKey(second.series)).toEqual({
      'network_receive_bytes_per_second{interface=eth0}': 1000,
      'network_transmit_bytes_per_second{interface=eth0}': 0,
      'network_receive_errors_per_second{interface=eth0}': 0,
      'network_transmit_errors_per_second{interface=eth0}': 0,
    });
    expect(second.problems).toEqual([]);
    await root.show('t2');
    clock.advance(10_000);
    const third = seriesByKey((await sampler.sample(clock.now())).series);
    expect(third['network_receive_bytes_per_second{interface=eth0}']).toBe(2000);
    expect(third['network_receive_bytes_per_second{interface=eth2}']).toBe(500);
    expect(third['network_transmit_bytes_per_second{interface=eth2}']).toBe(100);
  });

  it('gives no rate when the clock did not move forward', async () => {
    root = await snapshotRoot('basic-host');
    const clock = testClock();
    const sampler = networkSampler.create(samplerContext(root.rootDir, clock), samplerConfig(networkSampler));
    await sampler.sample(clock.now());
    await root.show('t1');
    expect((await sampler.sample(clock.now())).series).toEqual([]);
  });
});
