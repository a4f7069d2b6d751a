import { alertingSuite } from './alerting.suite.js';
import { sqliteTestStore } from './alerting-stand-ins.js';

alertingSuite('SQLite', async () => sqliteTestStore());
