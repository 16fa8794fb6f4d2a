#!/usr/bin/env node
// The SDK's bundle size: what an application that imports `@mypostshare/sdk` ships. Bundles the
// BUILT entries (run `npm run build` first) with esbuild the way an app bundler would (ESM,
// minified, every dependency included, code splitting on so lazily imported code gets a chunk of
// its own), gzips each output, and prints a table. The issue's budget is the main entry's eager
// part (what loads on `import`): <= 25 kB gzip.
//
// A report, not a gate: it exits 0 whatever the figures, and non-zero only when it cannot
// measure (no build, esbuild failure). `--json` prints the figures as JSON instead of a table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages/sdk/dist');
const BUDGET_KB = 25;

const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;

/** Bundles one entry and sizes its outputs: the entry chunk, plus the chunks it imports lazily. */
async function measure(name, file) {
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npm run build\``);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-sdk-size-'));
  try {
    const result = await build({
      entryPoints: { [name]: file },
      bundle: true,
      minify: true,
      format: 'esm',
      splitting: true,
      // No Node built-ins resolve on 'neutral': a Node-only import fails the build right here.
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      outdir,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const outputs = result.outputFiles
      .filter((output) => output.path.endsWith('.js'))
      .map((output) => {
        const meta = result.metafile.outputs[path.relative(process.cwd(), output.path)] ?? {};
        return {
          file: path.basename(output.path),
          entry: meta.entryPoint !== undefined,
          bytes: output.contents.length,
          gzip: gzipSync(output.contents, { level: 9 }).length,
          imports: meta.imports ?? [],
        };
      });
    const entry = outputs.find((output) => output.entry);
    if (!entry) throw new Error(`esbuild produced no entry chunk for ${name}`);
    // The eager part: the entry and the chunks it imports statically (shared code).
    const eagerFiles = new Set([entry.file]);
    for (const imported of entry.imports) {
      if (imported.kind === 'import-statement') eagerFiles.add(path.basename(imported.path));
    }
    const eager = outputs.filter((output) => eagerFiles.has(output.file));
    const lazy = outputs.filter((output) => !eagerFiles.has(output.file));
    const sum = (list, key) => list.reduce((total, output) => total + output[key], 0);
    return {
      entry: name,
      eager: { minifiedKb: kb(sum(eager, 'bytes')), gzipKb: kb(sum(eager, 'gzip')) },
      lazy: { minifiedKb: kb(sum(lazy, 'bytes')), gzipKb: kb(sum(lazy, 'gzip')) },
      total: { minifiedKb: kb(sum(outputs, 'bytes')), gzipKb: kb(sum(outputs, 'gzip')) },
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

try {
  const main = await measure('index', path.join(dist, 'index.js'));
  const admin = await measure('admin', path.join(dist, 'admin.js'));
  const report = {
    budgetKb: BUDGET_KB,
    withinBudget: main.eager.gzipKb <= BUDGET_KB,
    entries: [main, admin],
  };
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const rows = [
      ['entry', 'on import (gzip)', 'lazy validator (gzip)', 'all (gzip)', 'all (minified)'],
      ...report.entries.map((entry) => [
        `@mypostshare/sdk${entry.entry === 'index' ? '' : `/${entry.entry}`}`,
        `${entry.eager.gzipKb} kB`,
        `${entry.lazy.gzipKb} kB`,
        `${entry.total.gzipKb} kB`,
        `${entry.total.minifiedKb} kB`,
      ]),
    ];
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    for (const row of rows) {
      process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`);
    }
    process.stdout.write(
      `RESULT: main entry ${main.eager.gzipKb} kB gzip on import (budget ${BUDGET_KB} kB: ${
        report.withinBudget ? 'within' : 'OVER'
      }); the contract's zod validator loads on the first call (${main.lazy.gzipKb} kB gzip more)\n`,
    );
  }
} catch (error) {
  process.stderr.write(`sdk-bundle-size: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
