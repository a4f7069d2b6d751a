import { describe, expect, it } from 'vitest';
import { checkMigrationList } from './migration.js';
import { postgresMigrations } from './postgres/migrations/index.js';
import { sqliteMigrations } from './sqlite/migrations/index.js';

describe('checkMigrationList', () => {
  it('accepts the lists both backends ship, which name the same versions', () => {
    expect(() => checkMigrationList(postgresMigrations)).not.toThrow();
    expect(() => checkMigrationList(sqliteMigrations)).not.toThrow();
    expect(postgresMigrations.map((m) => m.name)).toEqual(sqliteMigrations.map((m) => m.name));
  });

  it('refuses a repeated or falling version, quoting the name', () => {
    const list = [
      { name: '002-b', sql: '' },
      { name: '002-c', sql: '' },
    ];
    expect(() => checkMigrationList(list)).toThrow(/"002-c" comes after "002-b"/);
  });

  it('refuses a name without a version', () => {
    expect(() => checkMigrationList([{ name: 'alerts', sql: '' }])).toThrow(/"alerts" must look like/);
  });
});
