// Globs as rules and silences write them (`match: { host: "web-*", mount: "/srv/*" }`): `*` is
// any run of characters, `?` one character, everything else literal. Whole-value match,
// case-sensitive.
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}
