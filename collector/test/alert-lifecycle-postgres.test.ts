import { alertLifecycleSuite } from './alert-lifecycle.suite.js';
import { postgresTestStore } from './alerting-stand-ins.js';

alertLifecycleSuite('PostgreSQL', postgresTestStore);
