import { ApiError, forgetToken, getJson, savedToken } from './api.js';
import { alertsTable, loadOpenAlerts } from './alerts.js';
import { alertView, loadAlert } from './alert-view.js';
import { fleetSummary, hostsTable, loadFigures, loadHosts } from './fleet.js';
import { DEFAULT_RANGE, RANGES, hostView, loadHostView } from './host-view.js';
import { el } from './dom.js';
import * as format from './format.js';
import { showSignInError, wireSignIn } from './sign-in.js';

// The dashboard's entry: which view the address names (#/ or #/host/ID?range=6h), a refresh
// every few seconds that never overlaps the previous one and pauses in a hidden tab, and the
// way back to the sign-in form when the API refuses the token.

const REFRESH_MS = 5_000;

const session = {
  /** The collector's clock minus ours, from ping: query windows use the collector's time. */
  offsetMs: 0,
  timer: undefined,
  running: false,
  again: false,
};

const byId = (id) => document.getElementById(id);
const serverNow = () => Date.now() + session.offsetMs;

/**
 * The view the address names. In-page links use the fragment (#/host/ID?range=6h, #/alert/ID);
 * notifications link to the paths /alerts and /alerts/ID, which serve this same page.
 */
function route() {
  const host = /^#\/host\/([^?]+)(?:\?range=(\w+))?$/.exec(location.hash);
  if (host) {
    const range = host[2] in RANGES ? host[2] : DEFAULT_RANGE;
    return { view: 'host', hostId: decodeURIComponent(host[1]), range };
  }
  const alert = /^#\/alert\/(.+)$/.exec(location.hash);
  if (alert) return { view: 'alert', alertId: decodeURIComponent(alert[1]) };
  const linked = /^\/alerts\/([^/]+)$/.exec(location.pathname);
  if (linked && location.hash === '') return { view: 'alert', alertId: decodeURIComponent(linked[1]) };
  return { view: 'overview' };
}

function show(view) {
  // A refresh that was under way when the user signed out must not bring the data back.
  if (view !== 'sign-in' && savedToken() === null) return;
  for (const name of ['sign-in', 'overview', 'host', 'alert']) byId(`${name}-view`).hidden = name !== view;
  const signedIn = view !== 'sign-in';
  byId('sign-out').hidden = !signedIn;
  if (!signedIn) {
    byId('summary').textContent = '';
    byId('who').textContent = '';
    setStatus('');
  }
}

function setStatus(text, isError = false) {
  const status = byId('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function signOut(message) {
  clearTimeout(session.timer);
  forgetToken();
  for (const id of ['alerts', 'hosts', 'host-view', 'alert-view']) byId(id).replaceChildren();
  show('sign-in');
  showSignInError(message);
  byId('token-input').focus();
}

async function signedIn(ping) {
  session.offsetMs = ping.serverTimeMs - Date.now();
  byId('who').textContent = `signed in as ${ping.role}`;
  await refresh();
}

async function refresh() {
  clearTimeout(session.timer);
  if (savedToken() === null) return;
  if (session.running) {
    session.again = true;
    return;
  }
  session.running = true;
  try {
    await render(route());
    setStatus(`updated ${format.clockSeconds(Date.now())}`);
  } catch (err) {
    if (err instanceof ApiError && err.isRefusal) {
      signOut(`Signed out: ${err.message}.`);
      return;
    }
    // Kept on screen: the last good view, with a line saying it is stale and why.
    setStatus(`not updated: ${err.message}; retrying`, true);
  } finally {
    session.running = false;
  }
  if (session.again) {
    session.again = false;
    await refresh();
  } else if (!document.hidden && savedToken() !== null) {
    session.timer = setTimeout(refresh, REFRESH_MS);
  }
}

async function render(place) {
  const nowMs = serverNow();
  const [hosts, alerts] = await Promise.all([loadHosts(), loadOpenAlerts()]);
  const firing = alerts?.filter((alert) => alert.state === 'firing').length ?? 0;
  const plural = alerts?.length === 1 ? '' : 's';
  const firingText = firing ? ` (${firing} firing)` : '';
  const alertText = alerts === null ? '' : ` · ${alerts.length} open alert${plural}${firingText}`;
  byId('summary').textContent = `${fleetSummary(hosts)}${alertText}`;

  if (place.view === 'overview') {
    const figures = await loadFigures(nowMs);
    byId('alerts').replaceChildren(alertsTable(alerts, nowMs));
    byId('hosts').replaceChildren(hostsTable(hosts, figures, alerts, nowMs));
    show('overview');
    return;
  }
  if (place.view === 'alert') {
    const alert = await loadAlert(place.alertId).catch((err) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    });
    byId('alert-view').replaceChildren(
      alert === null
        ? el('p', { class: 'error' }, `No alert ${place.alertId} is known to this collector.`)
        : alertView(alert, nowMs),
    );
    show('alert');
    return;
  }
  const host = hosts.find((one) => one.id === place.hostId || one.name === place.hostId);
  const page = byId('host-view');
  if (!host) {
    const back = el('p', {}, el('a', { href: '#/' }, '← all hosts'));
    const unknown = el('p', { class: 'error' }, `No host ${place.hostId} is known to this collector.`);
    page.replaceChildren(back, unknown);
    show('host');
    return;
  }
  const model = await loadHostView(host, place.range, nowMs);
  show('host');
  const width = byId('host-view').clientWidth || document.body.clientWidth;
  page.replaceChildren(hostView(model, alerts, nowMs, width));
}

async function start() {
  wireSignIn(signedIn);
  byId('sign-out').addEventListener('click', () => signOut('Signed out.'));
  window.addEventListener('hashchange', () => void refresh());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
  if (savedToken() === null) {
    show('sign-in');
    byId('token-input').focus();
    return;
  }
  try {
    await signedIn(await getJson('/api/v1/ping'));
  } catch (err) {
    if (err instanceof ApiError && err.isRefusal) signOut(`Signed out: ${err.message}.`);
    else {
      show('sign-in');
      showSignInError(`The collector did not answer: ${err.message}`);
    }
  }
}

void start();
