// How the benches start our server: with the Node.js flags `npm start` gives it (the root
// package.json's start script is the one place they are written), then BENCH_SERVER_NODE_ARGS
// (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). The bench measures the server as it is run.
import { spawn } from 'node:child_process';
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

/**
 * Spawns a server whose standard output goes to `logFile`, as to a log file or a log driver. The
 * bench process also runs the load generator, so it must not be the log collector: draining
 * tens of megabytes of log lines through its event loop slowed autocannon whenever our server
 * (which logs every request) was measured, and never when the baseline (which logs nothing) was.
 * Resolves once `readyPattern` shows in the output; `output()` reads it all (after a run).
 * `onSpawn` gets the child process at once.
 */
export async function spawnLogging({
  name,
  args,
  env,
  cwd,
  logFile,
  readyPattern,
  onSpawn,
  timeoutMs = 30_000,
}) {
  const fd = fs.openSync(logFile, 'w');
  let child;
  try {
    child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, 'pipe'] });
  } finally {
    fs.closeSync(fd);
  }
  // The caller's cleanup knows the process before it is ready, in case it never is.
  onSpawn?.(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    // Keep only the tail: enough to explain a crash.
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  const output = () => fs.readFileSync(logFile, 'utf8');
  const banner = await new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      const text = output();
      if (readyPattern.test(text)) {
        clearInterval(poll);
        resolve(text);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        reject(
          new Error(
            `${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before listening\n${text}${stderr}`,
          ),
        );
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`${name} did not print ${readyPattern} within ${timeoutMs} ms\n${text}${stderr}`));
      }
    }, 25);
  });
  return { child, banner, output, stderr: () => stderr };
}
