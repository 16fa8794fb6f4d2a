import fs from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// tsconfig.build.json has no `paths`: with them, tsup would bundle the contract into every package
// instead of importing it (its dependencies included).
const tsconfig = 'tsconfig.build.json';

// One build for every publishable package. Libraries ship ESM + CJS + types;
// the server and the CLI are Node programs and ship ESM only.
const configs: Options[] = [
  {
    name: 'contract',
    tsconfig,
    entry: { index: 'packages/contract/src/index.ts' },
    outDir: 'packages/contract/dist',
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    skipNodeModulesBundle: true,
  },
  {
    name: 'sdk',
    tsconfig,
    // `admin` is its own entry so the main one stays small; splitting (CJS too) makes both share
    // one copy of the error classes, so `instanceof` works across them.
    entry: { index: 'packages/sdk/src/index.ts', admin: 'packages/sdk/src/admin.ts' },
    outDir: 'packages/sdk/dist',
    format: ['esm', 'cjs'],
    splitting: true,
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    skipNodeModulesBundle: true,
    external: ['@mypostshare/contract'],
  },
  {
    name: 'cli',
    tsconfig,
    entry: { bin: 'packages/cli/src/bin.ts' },
    outDir: 'packages/cli/dist',
    format: ['esm'],
    // Chunks: each command's module (imported when the command runs, packages/cli/src/command-table.ts)
    // becomes its own file, so `mypostshare --help` reads bin.js and the little it shares with them.
    // What the CLI imports lazily stays lazy: the SDK, the contract, zod and inquirer are external.
    splitting: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    skipNodeModulesBundle: true,
    external: ['@mypostshare/contract', '@mypostshare/sdk'],
    // Commander is bundled: loading it from node_modules (CommonJS, through Node's ESM loader) was
    // the largest part of `mypostshare --help`'s start-up. Its require() calls (node:events,
    // node:fs...) need a `require` in the ESM output: the banner makes one.
    noExternal: ['commander'],
    banner: {
      js: '// Contains commander (MIT licence, © TJ Holowaychuk): see commander.LICENSE.\nimport { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);',
    },
    // Its licence travels with its code.
    onSuccess: async () => {
      fs.copyFileSync('node_modules/commander/LICENSE', 'packages/cli/dist/commander.LICENSE');
    },
  },
  {
    name: 'server',
    tsconfig,
    entry: { main: 'packages/server/src/main.ts', app: 'packages/server/src/app.ts' },
    outDir: 'packages/server/dist',
    format: ['esm'],
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    skipNodeModulesBundle: true,
    external: ['@mypostshare/contract'],
  },
];

// The contract builds first: the others' type declarations import its published .d.ts, which must
// exist before they are generated (`npm run build` runs the two stages in order).
const stage = process.env.MPS_BUILD_STAGE;
// MPS_BUILD_ONLY=cli (or server, sdk, contract) rebuilds one package, for quick iterations on it.
const only = process.env.MPS_BUILD_ONLY;
export default defineConfig(
  configs.filter((config) =>
    only
      ? config.name === only
      : stage === 'contract'
        ? config.name === 'contract'
        : stage === 'dependents'
          ? config.name !== 'contract'
          : true,
  ),
);
