import { deliverySuite } from './delivery.suite.js';
import { sqliteTestStore } from './alerting-stand-ins.js';

deliverySuite('SQLite', async () => sqliteTestStore());
