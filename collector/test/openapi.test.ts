import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// /api/v1/openapi.json is built from the route table: every /api/v1 route the server
// registers must be in it, with the schemas Fastify validates with.

describe('GET /api/v1/openapi.json', () => {
  let collector: TestCollector;
  let doc: any;
  beforeAll(async () => {
    collector = await startTestCollector();
    const answer = await call(`${collector.url}/api/v1/openapi.json`, { token: collector.tokens.viewer });
    expect(answer.status).toBe(200);
    doc = answer.json;
  });
  afterAll(() => collector.close());

  it('is OpenAPI 3.1 with every registered /api/v1 route and the access it needs', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'hostpulse collector API', version: expect.any(String) });
    const api = collector.app.hostpulseRoutes.filter((route) => route.url.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThanOrEqual(7);
    for (const route of api) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeDefined();
      expect(op['x-hostpulse-access']).toBe(route.access);
      expect(op.security).toEqual([{ bearer: [] }]);
    }
  });

  it('is well formed: unique operation ids, declared path parameters, resolvable refs', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values<any>(item)) {
        ids.push(op.operationId);
        const inPath = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name);
        expect(inPath.sort(), path).toEqual(templated.sort());
        expect(Object.keys(op.responses)).toContain('200');
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    for (const [, name] of refs) expect(doc.components.schemas[name as string]).toBeDefined();
  });

  it('carries the query schema the route validates with', () => {
    const query = doc.paths['/api/v1/query'].get;
    const metric = query.parameters.find((p: any) => p.name === 'metric');
    expect(metric).toMatchObject({ in: 'query', required: true, schema: { type: 'string' } });
    const agg = query.parameters.find((p: any) => p.name === 'agg');
    expect(agg.schema.enum).toEqual(['avg', 'min', 'max', 'last']);
    const ingest = doc.paths['/api/v1/ingest'].post;
    expect(Object.keys(ingest.requestBody.content)).toEqual(['application/x-protobuf']);
  });
});
