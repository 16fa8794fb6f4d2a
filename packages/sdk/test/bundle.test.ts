import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type OutputFile } from 'esbuild';
import { describe, expect, it } from 'vitest';

// What an application bundler makes of the main entry. bench/sdk-bundle-size.mjs reports the same
// figure for the built package; this test keeps the promises it rests on from regressing.

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const BUDGET_BYTES = 25 * 1024;

async function bundle(entry: string) {
  const result = await build({
    entryPoints: { entry: source(entry) },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    // 'neutral' resolves no Node built-in: a `node:` import anywhere fails the build.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    outdir: '/virtual-out',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        // The workspace's contract, from its sources (its dist may not be built yet).
        name: 'contract-sources',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@mypostshare\/contract$/ }, () => ({
            path: source('../../contract/src/index.ts'),
          }));
        },
      },
    ],
  });
  const outputs = result.outputFiles.filter((output) => output.path.endsWith('.js'));
  return { outputs, metafile: result.metafile };
}

/** The entry chunk and everything it imports statically: what loads on `import`. */
function eagerPart(outputs: OutputFile[], metafile: Metafile) {
  // Metafile keys are relative to the working directory.
  const key = (output: OutputFile) => path.relative(process.cwd(), output.path);
  const entry = outputs.find((output) => metafile.outputs[key(output)]?.entryPoint !== undefined);
  if (!entry) throw new Error('no entry chunk');
  const staticImports = (metafile.outputs[key(entry)]?.imports ?? [])
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => imported.path);
  const eager = outputs.filter((output) => output === entry || staticImports.includes(key(output)));
  const inputs = eager.flatMap((output) => Object.keys(metafile.outputs[key(output)]?.inputs ?? {}));
  const gzip = eager.reduce((total, output) => total + gzipSync(output.contents).length, 0);
  return { inputs, gzip };
}

describe.each([
  ['the main entry', '../src/index.ts'],
  ['the admin entry', '../src/admin.ts'],
])('%s', (_name, entry) => {
  it('bundles for a neutral platform (no Node-only import), within 25 kB gzip on import', async () => {
    const { outputs, metafile } = await bundle(entry);
    const { inputs, gzip } = eagerPart(outputs, metafile);
    expect(gzip).toBeLessThanOrEqual(BUDGET_BYTES);
    // zod and the contract load lazily, on the first call, from a chunk of their own.
    expect(inputs.some((input) => input.includes('node_modules/zod/'))).toBe(false);
    expect(inputs.some((input) => input.includes('contract/src/'))).toBe(false);
    expect(inputs.some((input) => input.includes('node_modules/ky/'))).toBe(true);
  });
});
