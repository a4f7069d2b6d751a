// Calls to the collector's JSON API with the signed-in token. The token lives in sessionStorage:
// it survives a reload but not the tab, is never put in a URL, and no cookie carries it, so
// other sites cannot make this browser use it. The API's role checks decide what it may read.

const TOKEN_KEY = 'hostpulse.token';

/** An answer other than 2xx, with the API's error code and message when it sent them. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  /** The token is unknown, revoked or not allowed: the user must sign in again. */
  get isRefusal() {
    return this.status === 401 || this.status === 403;
  }
}

export function savedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** GET a path of the API as JSON; `params` become the query string. */
export async function getJson(path, params = {}, token = savedToken()) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  const url = text === '' ? path : `${path}?${text}`;
  const answer = await fetch(url, {
    headers: { authorization: `Bearer ${token ?? ''}`, accept: 'application/json' },
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
  });
  const body = await answer.json().catch(() => undefined);
  if (!answer.ok) {
    const code = body?.error?.code ?? `http_${answer.status}`;
    const message = body?.error?.message ?? `${path} answered ${answer.status}`;
    throw new ApiError(answer.status, code, message);
  }
  return body;
}
