import { agentConfigSchema } from './config.js';

// agent.yaml as a published JSON Schema (docs/agent.schema.json) for editors: the very schema the
// loader validates with, reshaped for people writing the file. A key with a default is not
// required (the loader fills it in), and unknown keys are marked as errors as the loader treats
// them. Written by agent/scripts/json-schema.mjs; agent/test/docs.test.ts fails when the file
// and the loader's schema part ways.

const UNIT_KEY = 'x-hostpulse-unit';
const UNIT_HINTS: Record<string, string> = {
  duration: 'a duration: 500ms, 10s, 5m, 26h, 7d or combined (1h30m)',
  size: 'a size: 512KiB, 1MiB, 256MiB, 1GB',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function agentJsonSchema(): Record<string, Json> {
  // JSON round trip: TypeBox's symbol keys go, plain JSON Schema stays.
  const plain = JSON.parse(JSON.stringify(agentConfigSchema)) as Record<string, Json>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://hostpulse.invalid/schemas/agent.schema.json',
    title: 'hostpulse-agent configuration (agent.yaml)',
    description:
      'Generated from the agent config loader by agent/scripts/json-schema.mjs; do not edit.',
    ...(reshape(plain) as Record<string, Json>),
  };
}

function reshape(node: Json): Json {
  if (Array.isArray(node)) return node.map(reshape);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === UNIT_KEY) continue;
    out[key] = key === 'properties' ? mapValues(value, reshape) : reshape(value);
  }
  const unit = node[UNIT_KEY];
  if (typeof unit === 'string' && out.description === undefined && UNIT_HINTS[unit]) {
    out.description = UNIT_HINTS[unit] as string;
  }
  const properties = node.properties;
  if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
    const required = Array.isArray(node.required) ? node.required : [];
    const stillRequired = required.filter((key) => {
      const child = (properties as Record<string, Json>)[String(key)];
      return !(child && typeof child === 'object' && !Array.isArray(child) && 'default' in child);
    });
    if (stillRequired.length > 0) out.required = stillRequired;
    else delete out.required;
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(node: Json, fn: (value: Json) => Json): Json {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fn(v)]));
}
