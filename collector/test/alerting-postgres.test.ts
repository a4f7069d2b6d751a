import { alertingSuite } from './alerting.suite.js';
import { postgresTestStore } from './alerting-stand-ins.js';

alertingSuite('PostgreSQL', postgresTestStore);
