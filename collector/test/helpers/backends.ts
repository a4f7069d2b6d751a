import { createTestDatabase, type TestDatabase } from './pg.js';
import { startTestCollector, type TestCollector, type TestCollectorOptions } from './collector-server.js';

// The two storage backends the collector runs on; HTTP tests run against each.

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A test collector on the backend; PostgreSQL gets a throwaway database, dropped on close. */
export async function startOn(backend: Backend, options: Omit<TestCollectorOptions, 'databaseUrl'> = {}): Promise<TestCollector> {
  if (backend === 'sqlite') return startTestCollector(options);
  const db: TestDatabase = await createTestDatabase();
  try {
    const collector = await startTestCollector({ ...options, databaseUrl: db.url });
    return {
      ...collector,
      close: async () => {
        await collector.close();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}
