import type { FastifyError } from 'fastify';
import { quote } from '@hostpulse/shared';

// Fastify validates query strings and path parameters with Ajv (the route schemas are TypeBox,
// i.e. JSON Schema). This turns Ajv's first complaint into a sentence that names the parameter
// and quotes the value, like every other error message of ours. It relies on Ajv's `verbose`
// option (set in server.ts), which puts the value and its schema into each complaint.

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
  readonly data?: unknown;
  readonly parentSchema?: {
    readonly properties?: Record<string, unknown>;
    readonly patternProperties?: Record<string, unknown>;
  };
}

const PLACE: Readonly<Record<string, string>> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body field',
  headers: 'header',
};

/** `query parameter agg: "median" is not one of avg, min, max, last`. */
export function describeValidation(error: Partial<FastifyError>): string {
  const first = error.validation?.[0] as AjvError | undefined;
  const place = PLACE[error.validationContext ?? ''] ?? 'request';
  if (!first) return `the ${place} is not valid`;

  const name = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  // A query parameter written twice arrives as an array where one string is expected.
  if (first.keyword === 'type' && place === 'query parameter' && Array.isArray(first.data)) {
    const given = first.data.map((value) => quote(value)).join(', ');
    return `${place} ${name}: given ${first.data.length} times (${given}); give it once`;
  }
  // The body as a whole (instancePath empty) is not what the schema wants: text, an array, null.
  if (name === '' && place === 'body field' && first.keyword === 'type') {
    return 'the body must be a JSON object (Content-Type: application/json)';
  }
  switch (first.keyword) {
    case 'required':
      return `${place} ${String(first.params.missingProperty)}: is required`;
    case 'additionalProperties': {
      const parent = first.parentSchema;
      const patterns = Object.keys(parent?.patternProperties ?? {});
      // The one pattern we use, label\.NAME, reads better as what to write than as a regex.
      const named = patterns.map((p) => (p.startsWith('^label\\.') ? 'label.KEY' : p));
      const known = [...Object.keys(parent?.properties ?? {}), ...named].join(', ');
      return `${place} ${quote(first.params.additionalProperty)} is not known here (known: ${known})`;
    }
    case 'maxLength': {
      const limit = String(first.params.limit);
      return `${place} ${name}: ${quote(first.data)} is longer than ${limit} characters`;
    }
    case 'enum': {
      const allowed = (first.params.allowedValues as unknown[]).join(', ');
      return `${place} ${name}: ${quote(first.data)} is not one of ${allowed}`;
    }
    default:
      return `${place} ${name}: ${quote(first.data)} ${first.message ?? 'is not valid'}`;
  }
}
