#!/usr/bin/env node
// Installed as `hostpulse-collector`; the program is built into ../dist by `npm run build`.
import { run } from '../dist/main.js';

run(process.argv.slice(2));
