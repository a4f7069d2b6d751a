import type { Migration } from '../../migration.js';

// As on PostgreSQL: the value rides in the index, so reading one series' samples over a time
// range never touches the table.
export const coveringSampleIndexMigration: Migration = {
  name: '010-covering-sample-index',
  sql: `
CREATE INDEX samples_series_time_value ON samples (series_id, t_ms, value);
DROP INDEX samples_series_time;
`,
};
