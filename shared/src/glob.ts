// The one glob of hostpulse: agent exclude lists and backup paths (`veth*`, `/run/credentials/*`,
// `*.sql.gz`), and the collector's rule and silence matchers (`web-*`). Only `*` (any run of
// characters, `/` included, so `/proc/*` also covers `/proc/sys/fs/binfmt_misc`) and `?` (one
// character) are special; everything else, regex metacharacters too, matches itself. Whole-value,
// case-sensitive. Compile once (when a sampler or rule is created), never per sample.

const REGEX_SPECIAL = new Set(['\\', '^', '$', '.', '|', '+', '(', ')', '[', ']', '{', '}']);

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (REGEX_SPECIAL.has(char)) source += `\\${char}`;
    else source += char;
  }
  // `s`: a mount point may hold a newline (written \012 in mountinfo); `*` must cross it too.
  return new RegExp(`^${source}$`, 's');
}

/** One test for a whole list: true when the value matches any of the patterns. */
export function compileGlobList(patterns: readonly string[]): (value: string) => boolean {
  if (patterns.length === 0) return () => false;
  const combined = new RegExp(patterns.map((p) => globToRegExp(p).source).join('|'), 's');
  return (value) => combined.test(value);
}
