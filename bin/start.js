#!/usr/bin/env node
// `npm start`: the compiled server (dist/main.js), built first when dist/ is missing or stale.
import { ensureBuilt } from './build.js';

ensureBuilt();
await import('../dist/main.js');
