import { describe, expect, it } from 'vitest';
import { describeConnectError } from './connect-error.js';

function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeConnectError', () => {
  it('says what to do about an untrusted certificate and keeps the code', () => {
    const err = failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate');
    expect(describeConnectError(err)).toBe(
      "TLS certificate problem: the collector's certificate is not signed by a CA this agent " +
        'trusts; set collector.ca_file to the CA that signed it ' +
        '(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate)',
    );
  });

  it('names an expired certificate and a wrong host name', () => {
    expect(describeConnectError(failure('CERT_HAS_EXPIRED', 'certificate has expired'))).toMatch(
      /^TLS problem: the collector's TLS certificate has expired; .* \(CERT_HAS_EXPIRED: /,
    );
    const altname = failure('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match");
    expect(describeConnectError(altname)).toContain('does not name the host in collector.url');
  });

  it('leaves other errors as CODE: message', () => {
    expect(describeConnectError(failure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toBe(
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(describeConnectError(new Error('boom'))).toBe('boom');
  });
});
