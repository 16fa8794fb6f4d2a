#!/usr/bin/env node
import { run } from './program.js';

// exitCode rather than process.exit() so piped stdout is flushed before the process ends.
process.exitCode = await run(process.argv);
