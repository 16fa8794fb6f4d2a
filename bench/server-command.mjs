// How the benches start our server: with the Node.js flags `npm start` gives it (the root
// package.json's start script is the one place they are written), then BENCH_SERVER_NODE_ARGS
// (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). The bench measures the server as it is run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The flags between `node` and the entry in `npm start`: `node <flags> packages/server/dist/main.js`. */
export function startScriptNodeFlags() {
  const start = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const match = /^node((?:\s+--\S+)*)\s+packages\/server\/dist\/main\.js$/.exec(start);
  if (!match) throw new Error(`bench: cannot read the Node.js flags of the start script "${start}"`);
  return match[1].split(/\s+/).filter(Boolean);
}

/** The Node.js flags our server runs with here: `npm start`'s, then BENCH_SERVER_NODE_ARGS. */
export function serverNodeFlags() {
  const extra = (process.env.BENCH_SERVER_NODE_ARGS || '').split(/\s+/).filter(Boolean);
  return [...startScriptNodeFlags(), ...extra];
}
