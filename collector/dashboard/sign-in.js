import { ApiError, getJson, saveToken } from './api.js';

// The sign-in form. The token is checked with GET /api/v1/ping before it is kept: an unknown
// token is refused there, and an agent token (which ping accepts) is refused here, since an
// agent may only send data. The data routes refuse it too; this only says so sooner.

const TOKEN_SHAPE = /^hp_[A-Za-z0-9_-]{43}$/;

/** Calls `onSignedIn(ping)` once a token of an API role has been kept. */
export function wireSignIn(onSignedIn) {
  const form = document.getElementById('sign-in-form');
  const input = document.getElementById('token-input');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!TOKEN_SHAPE.test(token)) {
      showSignInError(malformedTokenMessage(token));
      return;
    }
    try {
      const ping = await getJson('/api/v1/ping', {}, token);
      if (ping.tokenKind !== 'api') {
        showSignInError('This is an agent token: it may only send data. Use an API token with the role viewer or above.');
        return;
      }
      input.value = '';
      saveToken(token);
      await onSignedIn(ping);
    } catch (err) {
      if (err instanceof ApiError && err.isRefusal) showSignInError(`Refused: ${err.message}.`);
      else showSignInError(`The collector did not answer: ${err.message}`);
    }
  });
}

/**
 * Says what a token looks like and how the pasted text differs, by its length and prefix only:
 * the text itself is never shown, since it may be some other secret pasted by mistake.
 */
export function malformedTokenMessage(pasted) {
  const expected = 'a token starts with hp_ and is 46 characters long';
  if (pasted.length === 0) return `Paste a hostpulse token: ${expected}.`;
  const prefixed = pasted.startsWith('hp_');
  const found = [
    `this one is ${pasted.length} character${pasted.length === 1 ? '' : 's'}`,
    prefixed ? null : 'does not start with hp_',
    prefixed && pasted.length === 46 ? 'holds a character other than letters, digits, _ and -' : null,
  ].filter(Boolean).join(' and ');
  return `That is not a hostpulse token: ${expected} (${found}).`;
}

export function showSignInError(message) {
  document.getElementById('sign-in-error').textContent = message;
}
