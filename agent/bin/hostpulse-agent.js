#!/usr/bin/env node
// Installed as `hostpulse-agent`; the code is in src/main.ts, built to dist/ by `npm run build`.
import { main } from '../dist/main.js';

main();
