import { TLSSocket, type PeerCertificate } from 'node:tls';
import { Type } from '@sinclair/typebox';
import { Agent, buildConnector, request } from 'undici';
import { quote, safeUrl } from '@hostpulse/shared';
import { agentVersion } from '../version.js';
import type { CheckConfigProblem, CheckDefinition, CheckFigure } from './check.js';
import { caFileProblems, readCa } from './ca-file.js';

// Up when GET url answers expect_status (redirects are not followed: a 301 is an answer) and,
// with body_match, when the body contains that text. Over https the server's certificate is
// verified and its days left are sent; with tls_min_days, fewer days left is a failure. Each
// run opens its own connection, so the latency includes connect and TLS handshake, as a user's
// first request would, and the certificate read is the one served now.

// Enough for any health page; a body_match further down a larger page is not found.
const MAX_BODY_BYTES = 1024 * 1024;
const DAY_MS = 86_400_000;

const httpConfig = Type.Object({
  url: Type.String({ format: 'uri' }),
  expect_status: Type.Integer({ minimum: 100, maximum: 599, default: 200 }),
  body_match: Type.Optional(Type.String({ minLength: 1 })),
  ca_file: Type.Optional(Type.String({ minLength: 1 })),
  tls_min_days: Type.Optional(Type.Number({ minimum: 0 })),
});

export const httpCheck: CheckDefinition<typeof httpConfig> = {
  type: 'http',
  config: httpConfig,
  metrics: ['http_tls_certificate_days_left'],
  validate(config) {
    const problems: CheckConfigProblem[] = [];
    const isHttps = config.url.startsWith('https://');
    if (!isHttps && !config.url.startsWith('http://')) {
      problems.push({ key: 'url', message: `${quote(safeUrl(config.url))} must be http or https` });
    }
    if (!isHttps && config.caFile !== undefined) {
      problems.push({ key: 'ca_file', message: 'needs an https:// url' });
    }
    if (!isHttps && config.tlsMinDays !== undefined) {
      problems.push({ key: 'tls_min_days', message: 'needs an https:// url' });
    }
    return [...problems, ...caFileProblems(config.caFile)];
  },
  create(_ctx, config) {
    const target = `GET ${safeUrl(config.url)}`;
    return {
      async run(signal) {
        let certificate: PeerCertificate | undefined;
        const connector = buildConnector({ ca: await readCa(config.caFile) });
        const agent = new Agent({
          connect: (options, callback) =>
            connector(options, (...args) => {
              const socket = args[1];
              if (socket instanceof TLSSocket) certificate = socket.getPeerCertificate();
              callback(...args);
            }),
        });
        try {
          const response = await request(config.url, {
            dispatcher: agent,
            signal,
            headers: { 'user-agent': `hostpulse-agent/${agentVersion()}` },
          });
          const { statusCode, body } = response;
          if (statusCode !== config.expectStatus) {
            await body.dump();
            throw new Error(`${target}: status ${statusCode}, expected ${config.expectStatus}`);
          }
          if (config.bodyMatch !== undefined && !(await bodyContains(body, config.bodyMatch))) {
            throw new Error(`${target}: the body does not contain ${quote(config.bodyMatch)}`);
          }
          return { figures: certificateFigures(certificate, config.tlsMinDays) };
        } finally {
          await agent.destroy();
        }
      },
    };
  },
};

async function bodyContains(body: AsyncIterable<Buffer>, text: string): Promise<boolean> {
  const decoder = new TextDecoder();
  let seen = '';
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    seen += decoder.decode(chunk, { stream: true });
    // Leaving the loop early destroys the body, which is what we want once we know.
    if (seen.includes(text)) return true;
    if (bytes >= MAX_BODY_BYTES) return false;
  }
  return (seen + decoder.decode()).includes(text);
}

function certificateFigures(
  certificate: PeerCertificate | undefined,
  minDays: number | undefined,
): CheckFigure[] {
  if (!certificate?.valid_to) return [];
  const daysLeft = (Date.parse(certificate.valid_to) - Date.now()) / DAY_MS;
  if (!Number.isFinite(daysLeft)) return [];
  if (minDays !== undefined && daysLeft < minDays) {
    // Whole days: the reason, hence the event, changes once a day, not every few minutes.
    const left = Math.floor(daysLeft);
    throw new Error(`the TLS certificate expires in ${left} days, under tls_min_days ${minDays}`);
  }
  return [{ metric: 'http_tls_certificate_days_left', value: daysLeft }];
}
