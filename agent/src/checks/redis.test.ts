import { describe, expect, it } from 'vitest';
import { parseInfo } from './redis.js';

// INFO text in the shape Redis 7.0.15 writes it (`redis-cli INFO memory`, `INFO clients`: CRLF
// line ends, `# Section` headers); lines picked from both and values changed.

describe('parseInfo', () => {
  it('reads key:value lines and skips section headers and blank lines', () => {
    const text = [
      '# Memory',
      'used_memory:964992',
      'used_memory_human:942.38K',
      'maxmemory_policy:noeviction',
      '',
      '# Clients',
      'connected_clients:3',
      'client_recent_max_input_buffer:20480',
      '',
    ].join('\r\n');
    const fields = parseInfo(text);
    expect(fields.get('used_memory')).toBe('964992');
    expect(fields.get('connected_clients')).toBe('3');
    expect(fields.get('maxmemory_policy')).toBe('noeviction');
    expect(fields.has('# Memory')).toBe(false);
    expect(fields.size).toBe(5);
  });

  it('keeps colons inside a value', () => {
    const text = 'executable:/usr/bin/redis-server\r\nconfig_file:C:\\redis.conf';
    expect(parseInfo(text).get('config_file')).toBe('C:\\redis.conf');
  });
});
