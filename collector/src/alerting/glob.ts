// Host name globs as rules write them in `match: { host: "web-*" }`: `*` is any run of
// characters, `?` one character, everything else literal. Whole-name match, case-sensitive.
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}
