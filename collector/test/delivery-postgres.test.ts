import { deliverySuite } from './delivery.suite.js';
import { postgresTestStore } from './alerting-stand-ins.js';

deliverySuite('PostgreSQL', postgresTestStore);
