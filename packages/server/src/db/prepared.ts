import type BetterSqlite3 from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

const MARKER = '\u0000mps_param_';
const placeholder = (index: number) => `${MARKER}${index}\u0000`;

/** Compiles `build` once with placeholders and notes which parameter slot takes which argument. */
function compileWithSlots<D, Args extends unknown[], R>(
  db: D,
  build: (db: D, ...args: Args) => Compilable<R>,
  arity: number,
): { compiled: CompiledQuery<R>; slots: Array<number | undefined> } {
  const compiled = build(
    db,
    ...(Array.from({ length: arity }, (_, index) => placeholder(index)) as Args),
  ).compile();
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARKER)
      ? Number(value.slice(MARKER.length, -1))
      : undefined,
  );
  return { compiled, slots };
}

const rawSqlite = new WeakMap<Kysely<any>, BetterSqlite3.Database>();

/**
 * Lets prepared queries on this Kysely instance run straight on its better-sqlite3 handle:
 * synchronous, with no trip through Kysely's connection mutex and driver (several promise hops
 * per query on the hottest paths).
 */
export function attachRawSqlite(db: Kysely<any>, sqlite: BetterSqlite3.Database): void {
  rawSqlite.set(db, sqlite);
}

/**
 * A query whose SQL is built and compiled once per database and then only re-bound to new values.
 * Kysely otherwise rebuilds and recompiles a query on every call, which costs tens of
 * microseconds: too much on the request paths every API call takes (key lookup, end-user reads and
 * writes). `build` must use its arguments only as values, never to choose the query's shape.
 *
 * @example
 * const findApp = prepared((db: Db, id: string) => db.selectFrom('apps').selectAll().where('id', '=', id));
 * const rows = await findApp(db, appId);
 */
export function prepared<D extends Kysely<any>, Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
): (db: D, ...args: Args) => Promise<R[]> {
  const compiledByDb = new WeakMap<
    D,
    { compiled: CompiledQuery<R>; slots: Array<number | undefined>; statement?: BetterSqlite3.Statement }
  >();
  return async (db, ...args) => {
    let entry = compiledByDb.get(db);
    if (!entry) {
      const { compiled, slots } = compileWithSlots(db, build, args.length);
      const sqlite = rawSqlite.get(db);
      entry = { compiled, slots, ...(sqlite ? { statement: sqlite.prepare(compiled.sql) } : {}) };
      compiledByDb.set(db, entry);
    }
    const { compiled, slots, statement } = entry;
    const parameters = compiled.parameters.map((value, index) => {
      const slot = slots[index];
      return slot === undefined ? value : args[slot];
    });
    // A transaction Kysely holds open owns the connection: then wait for it like any other query,
    // or this statement would silently join that transaction.
    if (statement && !rawSqlite.get(db)!.inTransaction) {
      if (statement.reader) return statement.all(parameters) as R[];
      statement.run(parameters);
      return [];
    }
    const result = await db.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}

/**
 * Runs one prepared statement for many rows in a single SQLite transaction, straight on the
 * better-sqlite3 handle: one commit for the batch and no per-row query building. Returns false
 * when it cannot (not SQLite, or a Kysely transaction holds the connection), and the caller then
 * takes its portable path.
 */
export function runBatchOnSqlite<D extends Kysely<any>, Args extends unknown[], R>(
  db: D,
  build: (db: D, ...args: Args) => Compilable<R>,
  rows: Args[],
): boolean {
  const sqlite = rawSqlite.get(db);
  if (rows.length === 0) return true;
  if (!sqlite || sqlite.inTransaction) return false;
  let cached = batchStatements.get(build);
  if (!cached || cached.sqlite !== sqlite) {
    const { compiled, slots } = compileWithSlots(db, build, rows[0]!.length);
    cached = { sqlite, statement: sqlite.prepare(compiled.sql), parameters: compiled.parameters, slots };
    batchStatements.set(build, cached);
  }
  const { statement, parameters, slots } = cached;
  sqlite.transaction(() => {
    for (const args of rows) {
      statement.run(
        parameters.map((value, index) => (slots[index] === undefined ? value : args[slots[index]!])),
      );
    }
  })();
  return true;
}

const batchStatements = new WeakMap<
  object,
  {
    sqlite: BetterSqlite3.Database;
    statement: BetterSqlite3.Statement;
    parameters: ReadonlyArray<unknown>;
    slots: Array<number | undefined>;
  }
>();

/** Runs one query synchronously inside {@link sqliteTransaction}; the query is compiled once. */
export type SyncRunner<D extends Kysely<any>> = <Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
  ...args: Args
) => R[];

const transactionStatements = new WeakMap<
  object,
  {
    sqlite: BetterSqlite3.Database;
    statement: BetterSqlite3.Statement;
    parameters: ReadonlyArray<unknown>;
    slots: Array<number | undefined>;
  }
>();

/**
 * Runs `work` as one SQLite transaction (BEGIN IMMEDIATE) straight on the better-sqlite3 handle,
 * every query synchronous: several writes become atomic for the price of one commit, with no
 * promise hops and no per-call query building. `build` functions must be module-level constants
 * (their statements are cached by identity) that use their arguments only as values.
 *
 * Returns `{ ok: false }` without running anything when it cannot (not SQLite, or a Kysely
 * transaction holds the connection); callers then take their portable Kysely path.
 */
export function sqliteTransaction<D extends Kysely<any>, T>(
  db: D,
  work: (run: SyncRunner<D>) => T,
): { ok: true; value: T } | { ok: false } {
  const sqlite = rawSqlite.get(db);
  if (!sqlite || sqlite.inTransaction) return { ok: false };
  const run: SyncRunner<D> = (build, ...args) => {
    let cached = transactionStatements.get(build);
    if (!cached || cached.sqlite !== sqlite) {
      const { compiled, slots } = compileWithSlots(db, build, args.length);
      cached = { sqlite, statement: sqlite.prepare(compiled.sql), parameters: compiled.parameters, slots };
      transactionStatements.set(build, cached);
    }
    const { statement, parameters, slots } = cached;
    const bound = parameters.map((value, index) =>
      slots[index] === undefined ? value : args[slots[index]!],
    );
    if (statement.reader) return statement.all(bound) as never[];
    statement.run(bound);
    return [];
  };
  return { ok: true, value: sqlite.transaction(() => work(run)).immediate() };
}
