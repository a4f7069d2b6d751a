// /proc/net/dev: two header lines, then one interface a line, `name: ` and 16 counters:
//   receive  bytes packets errs drop fifo frame compressed multicast
//   transmit bytes packets errs drop fifo colls carrier compressed
// With large counters there is no space after the colon (`eth0:343772095`); interface names
// never contain a colon (the kernel refuses such names), so the first colon ends the name.

export interface InterfaceCounters {
  readonly name: string;
  readonly receiveBytes: number;
  readonly receiveErrors: number;
  readonly transmitBytes: number;
  readonly transmitErrors: number;
}

export function parseNetDev(text: string): InterfaceCounters[] {
  const interfaces: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const counters = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    // Header lines hold `|` and no numbers; a line short of 16 counters is in no format we
    // know, and is left out rather than read at the wrong positions.
    if (name === '' || name.includes('|') || counters.length < 16 || !counters.every(Number.isFinite)) continue;
    interfaces.push({
      name,
      receiveBytes: counters[0] as number,
      receiveErrors: counters[2] as number,
      transmitBytes: counters[8] as number,
      transmitErrors: counters[10] as number,
    });
  }
  return interfaces;
}
