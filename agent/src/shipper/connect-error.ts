// Why a connection to the collector failed, in words an operator can act on. Certificate
// problems are the usual trouble when a collector moves to TLS with a private CA, and Node's
// codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE) do not say what to change; the code stays in the
// text so it can be searched for.

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

const ADVICE: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: "the collector's TLS certificate has expired; renew it on the collector",
  CERT_NOT_YET_VALID:
    "the collector's TLS certificate is not valid yet; check the clocks of both hosts",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the collector's TLS certificate does not name the host in collector.url; " +
    'use a name (or IP) the certificate lists',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'the collector does not speak TLS on this port; use http:// or set tls: on the collector',
};

/** One line: the TLS advice when there is one, then `CODE: message` as Node gave them. */
export function describeConnectError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const raw = typeof code === 'string' ? `${code}: ${message}` : message;
  if (typeof code !== 'string') return raw;
  if (UNTRUSTED.has(code)) {
    const advice =
      "TLS certificate problem: the collector's certificate is not signed by a CA this agent " +
      'trusts; set collector.ca_file to the CA that signed it';
    return `${advice} (${raw})`;
  }
  const advice = ADVICE[code];
  return advice === undefined ? raw : `TLS problem: ${advice} (${raw})`;
}
