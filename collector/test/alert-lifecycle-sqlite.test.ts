import { alertLifecycleSuite } from './alert-lifecycle.suite.js';
import { sqliteTestStore } from './alerting-stand-ins.js';

alertLifecycleSuite('SQLite', async () => sqliteTestStore());
