#!/usr/bin/env node
// Writes docs/agent.schema.json from the agent's config schema (build first: npx tsc -b).
//   node agent/scripts/json-schema.mjs           write the file
//   node agent/scripts/json-schema.mjs --check   exit 1 when the file is not up to date
// Editors pick it up with a first line `# yaml-language-server: $schema=<path>/agent.schema.json`.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..');
const target = resolve(repo, 'docs', 'agent.schema.json');
const { agentJsonSchema } = await import(resolve(repo, 'agent', 'dist', 'config-json-schema.js'));
const text = `${JSON.stringify(agentJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    console.error('docs/agent.schema.json is out of date: run node agent/scripts/json-schema.mjs');
    process.exit(1);
  }
  console.log('docs/agent.schema.json is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
