import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const units = ['deploy/systemd/hostpulse-agent.service', 'deploy/systemd/hostpulse-collector.service'];

describe('systemd units', () => {
  it('are accepted by systemd-analyze verify', () => {
    let output: string;
    try {
      output = execFileSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { code?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new Error('systemd-analyze is missing: install it with apt-get install systemd');
      throw new Error(`systemd-analyze verify refused the units:\n${e.stderr}`);
    }
    expect(output).toBe('');
  });

  it.each(units)('%s keeps what SPEC §6 asks for', (unit) => {
    const text = readFileSync(unit, 'utf8');
    for (const line of ['User=hostpulse', 'StateDirectory=hostpulse', 'ConfigurationDirectory=hostpulse', 'Restart=on-failure', 'ProtectSystem=strict', 'NoNewPrivileges=yes']) {
      expect(text).toContain(line);
    }
  });
});
