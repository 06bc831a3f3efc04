#!/usr/bin/env node
// The `evote` command: the compiled CLI (dist/cli/main.js), built first when dist/ is missing or stale.
import { ensureBuilt } from './build.js';

ensureBuilt();
await import('../dist/cli/main.js');
