// /proc/self/mountinfo (proc(5)), one mount a line:
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   id parent major:minor root mount-point options [optional fields...] - fstype source super-options
// The optional fields vary in number; a lone `-` ends them. The kernel writes space, tab,
// newline and backslash inside paths as octal escapes (\040 \011 \012 \134), so fields split
// on single spaces and are decoded afterwards.

export interface Mount {
  readonly mountId: number;
  readonly parentId: number;
  /** `major:minor` of the filesystem's device; the same for every bind mount of it. */
  readonly device: string;
  /** The directory of the filesystem that is mounted here: "/" unless this is a bind mount of a subdirectory. */
  readonly root: string;
  readonly mountPoint: string;
  readonly fstype: string;
  /** What was mounted: /dev/sda1, server:/export, tmpfs. */
  readonly source: string;
}

/** Every well-formed line, in the kernel's order (parents before children). */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    // A line without the separator or its three fields after it is not in a shape we know; it
    // is left out rather than guessed at (the kernel has never written one).
    if (separator === -1 || fields.length < separator + 3) continue;
    mounts.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      device: fields[2] as string,
      root: decodeMountEscapes(fields[3] as string),
      mountPoint: decodeMountEscapes(fields[4] as string),
      fstype: fields[separator + 1] as string,
      source: decodeMountEscapes(fields[separator + 2] as string),
    });
  }
  return mounts;
}

/** Undoes the kernel's octal escapes: `/mnt/my\040disk` → `/mnt/my disk`. */
export function decodeMountEscapes(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
