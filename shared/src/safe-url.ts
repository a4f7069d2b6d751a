// URLs go into logs and error messages only through this: user info, query and fragment can
// carry secrets (database passwords, Slack webhook paths are themselves secrets, see below).
export function safeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(unparsable URL)';
  }
  const auth = url.username || url.password ? '***@' : '';
  return `${url.protocol}//${auth}${url.host}${url.pathname}`;
}

/** For URLs whose path is the secret (Slack incoming webhooks): keep only scheme and host. */
export function originOnly(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return '(unparsable URL)';
  }
}
