#!/usr/bin/env node
// `npm run bench`, CLI part: how long `mypostshare --help` takes to start and finish, the built
// binary (packages/cli/dist/bin.js) run as a child process like a shell would. The target:
// a median under 150 ms. Bare `node -e ''` is measured the same way, interleaved, so a slow or
// busy machine shows as a slow baseline rather than as a slow CLI.
//
// A report, not a gate: it exits 0 whatever the figures, and non-zero only when it cannot measure
// (no build). `--json` prints the figures as JSON. BENCH_CLI_RUNS sets the runs (default 20).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'packages/cli/dist/bin.js');
const runs = Number(process.env.BENCH_CLI_RUNS || 20);
const TARGET_MS = 150;

if (!fs.existsSync(bin)) {
  process.stderr.write(`cli-startup: ${path.relative(root, bin)} is missing: run \`npm run build\`\n`);
  process.exit(1);
}

// Nothing from the caller's profile or environment should change what --help does.
const env = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: path.join(root, 'bench', '.no-config') };

function time(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (ms) => Math.round(ms * 10) / 10;

const commands = {
  'mypostshare --help': [bin, '--help'],
  "node -e ''": ['-e', ''],
};
const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
// Two warm-up runs each (file-system caches), not counted; then interleaved rounds.
for (const args of Object.values(commands)) {
  time(args);
  time(args);
}
for (let run = 0; run < runs; run++) {
  for (const [name, args] of Object.entries(commands)) samples[name].push(time(args));
}

const figures = Object.fromEntries(
  Object.entries(samples).map(([name, values]) => [
    name,
    {
      medianMs: round(median(values)),
      minMs: round(Math.min(...values)),
      maxMs: round(Math.max(...values)),
    },
  ]),
);
const cli = figures['mypostshare --help'];
const node = figures["node -e ''"];
const report = {
  runs,
  targetMs: TARGET_MS,
  withinTarget: cli.medianMs < TARGET_MS,
  overheadOverNodeMs: round(cli.medianMs - node.medianMs),
  commands: figures,
};

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const rows = [
    ['command', 'median', 'min', 'max'],
    ...Object.entries(figures).map(([name, f]) => [
      name,
      `${f.medianMs} ms`,
      `${f.minMs} ms`,
      `${f.maxMs} ms`,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`);
  }
  process.stdout.write(
    `RESULT: mypostshare --help median ${cli.medianMs} ms over ${runs} runs (target < ${TARGET_MS} ms: ${
      report.withinTarget ? 'within' : 'OVER'
    }); ${report.overheadOverNodeMs} ms above bare node (${node.medianMs} ms)\n`,
  );
}
