import { createRequire } from 'node:module';

// The version comes from collector/package.json, which sits one level above both src/ (tests)
// and dist/ (the built program), so one relative path serves both.
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

export const collectorVersion: string = packageJson.version;
