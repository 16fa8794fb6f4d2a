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
    // One file, not shared chunks: `mypostshare --help` reads one module (start-up time). What the
    // CLI imports lazily stays lazy: the SDK, the contract, zod and inquirer are external.
    splitting: false,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    skipNodeModulesBundle: true,
    external: ['@mypostshare/contract', '@mypostshare/sdk'],
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
export default defineConfig(
  configs.filter((config) =>
    stage === 'contract'
      ? config.name === 'contract'
      : stage === 'dependents'
        ? config.name !== 'contract'
        : true,
  ),
);
