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

/** The parameters for one run: the arguments themselves when they fill the slots one for one, in order. */
function bindParameters(
  parameters: ReadonlyArray<unknown>,
  slots: Array<number | undefined>,
  args: readonly unknown[],
): ReadonlyArray<unknown> {
  return parameters.map((value, index) => {
    const slot = slots[index];
    return slot === undefined ? value : args[slot];
  });
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

interface PreparedEntry<R> {
  compiled: CompiledQuery<R>;
  slots: Array<number | undefined>;
  /** The arguments are the parameters, one for one and in order: bind them as they are. */
  direct: boolean;
  /** A SELECT: a single-row read may stop at the first row. */
  select: boolean;
  sqlite?: BetterSqlite3.Database;
  statement?: BetterSqlite3.Statement;
  /** Turns one raw row (an array of column values) into the object the query's type promises. */
  toObject?: (values: unknown[]) => R;
}

/**
 * Row objects built in JavaScript from raw rows: better-sqlite3 builds each row object through
 * V8's C++ API one property at a time, which costs more than the query itself on a single-row
 * read. The builder is one object literal per statement (its columns are fixed), so every row has
 * the same shape: same names, same order, and the last of duplicate names wins, as before.
 */
function rowBuilder<R>(statement: BetterSqlite3.Statement): (values: unknown[]) => R {
  const names = statement.columns().map((column) => column.name);
  if (names.includes('__proto__')) {
    // A literal would set the prototype instead of the property: build this one property by property.
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let index = 0; index < names.length; index += 1) {
        Object.defineProperty(row, names[index]!, {
          value: values[index],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return row as R;
    };
  }
  const fields = names.map((name, index) => `${JSON.stringify(name)}: values[${index}]`).join(', ');
  // The names are our own queries' column names, quoted as JSON: they cannot inject code.
  return new Function('values', `return { ${fields} };`) as (values: unknown[]) => R;
}

// Values are passed to better-sqlite3 as arguments, not as one array: it reads an array's elements
// back through V8's C++ API one at a time, which costs more than binding them.

/** A result now when the query could run synchronously on SQLite, or a promise of it otherwise. */
export type MaybePromise<T> = T | Promise<T>;

/** Compiles (once per database) and runs a query; the shared core of the `prepared*` helpers. */
function preparedRunner<D extends Kysely<any>, Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
) {
  const compiledByDb = new WeakMap<D, PreparedEntry<R>>();
  const entryFor = (db: D, arity: number): PreparedEntry<R> => {
    let entry = compiledByDb.get(db);
    if (!entry) {
      const { compiled, slots } = compileWithSlots(db, build, arity);
      const sqlite = rawSqlite.get(db);
      const statement = sqlite?.prepare(compiled.sql);
      // Our own statement (Kysely's driver prepares and caches its own), so raw mode is ours to set.
      if (statement?.reader) statement.raw(true);
      entry = {
        compiled,
        slots,
        direct: slots.length === arity && slots.every((slot, index) => slot === index),
        select: compiled.query.kind === 'SelectQueryNode',
        ...(statement
          ? { sqlite, statement, ...(statement.reader ? { toObject: rowBuilder<R>(statement) } : {}) }
          : {}),
      };
      compiledByDb.set(db, entry);
    }
    return entry;
  };
  const viaKysely = async (db: D, entry: PreparedEntry<R>, parameters: ReadonlyArray<unknown>) =>
    (await db.executeQuery<R>({ ...entry.compiled, parameters })).rows;
  return { entryFor, viaKysely };
}

/**
 * A query whose SQL is built and compiled once per database and then only re-bound to new values,
 * answering synchronously when it can run straight on SQLite (an array then; a promise otherwise).
 * Kysely otherwise rebuilds and recompiles a query on every call, which costs tens of
 * microseconds: too much on the request paths every API call takes (key lookup, end-user reads and
 * writes). `build` must use its arguments only as values, never to choose the query's shape.
 */
export function preparedNow<D extends Kysely<any>, Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
): (db: D, ...args: Args) => MaybePromise<R[]> {
  const { entryFor, viaKysely } = preparedRunner(build);
  return (db, ...args) => {
    const entry = entryFor(db, args.length);
    const parameters = entry.direct ? args : bindParameters(entry.compiled.parameters, entry.slots, args);
    const { statement, sqlite } = entry;
    // A transaction Kysely holds open owns the connection: then wait for it like any other query,
    // or this statement would silently join that transaction.
    if (statement && !sqlite!.inTransaction) {
      if (statement.reader) return (statement.all(...parameters) as unknown[][]).map(entry.toObject!);
      statement.run(...parameters);
      return [];
    }
    return viaKysely(db, entry, parameters);
  };
}

/**
 * Like {@link preparedNow} for a query that wants its first row only (a read by a unique key): a
 * SELECT then stops at that row instead of collecting all of them.
 */
export function preparedFirstNow<D extends Kysely<any>, Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
): (db: D, ...args: Args) => MaybePromise<R | undefined> {
  const { entryFor, viaKysely } = preparedRunner(build);
  return (db, ...args) => {
    const entry = entryFor(db, args.length);
    const parameters = entry.direct ? args : bindParameters(entry.compiled.parameters, entry.slots, args);
    const { statement, sqlite } = entry;
    if (statement && !sqlite!.inTransaction) {
      if (entry.select) {
        const values = statement.get(...parameters) as unknown[] | undefined;
        return values === undefined ? undefined : entry.toObject!(values);
      }
      if (statement.reader) {
        const values = (statement.all(...parameters) as unknown[][])[0];
        return values === undefined ? undefined : entry.toObject!(values);
      }
      statement.run(...parameters);
      return undefined;
    }
    return viaKysely(db, entry, parameters).then((rows) => rows[0]);
  };
}

/**
 * {@link preparedNow} for callers that always await: the same compiled-once query, as a promise.
 *
 * @example
 * const findApp = prepared((db: Db, id: string) => db.selectFrom('apps').selectAll().where('id', '=', id));
 * const rows = await findApp(db, appId);
 */
export function prepared<D extends Kysely<any>, Args extends unknown[], R>(
  build: (db: D, ...args: Args) => Compilable<R>,
): (db: D, ...args: Args) => Promise<R[]> {
  const run = preparedNow(build);
  return async (db, ...args) => run(db, ...args);
}

interface BatchStatement {
  statement: BetterSqlite3.Statement;
  parameters: ReadonlyArray<unknown>;
  slots: Array<number | undefined>;
  direct: boolean;
}

const batchStatements = new WeakMap<
  object,
  { sqlite: BetterSqlite3.Database; byArity: Map<number, BatchStatement> }
>();

/** Compiles `build` for `arity` arguments and prepares it on `sqlite`, once per builder, arity and handle. */
function batchStatement<D extends Kysely<any>>(
  sqlite: BetterSqlite3.Database,
  db: D,
  build: (db: D, ...args: any[]) => Compilable<unknown>,
  arity: number,
): BatchStatement {
  let cached = batchStatements.get(build);
  if (!cached || cached.sqlite !== sqlite) {
    cached = { sqlite, byArity: new Map() };
    batchStatements.set(build, cached);
  }
  const found = cached.byArity.get(arity);
  if (found) return found;
  const { compiled, slots } = compileWithSlots(db, build, arity);
  const statement = {
    statement: sqlite.prepare(compiled.sql),
    parameters: compiled.parameters,
    slots,
    direct: slots.length === arity && slots.every((slot, index) => slot === index),
  };
  cached.byArity.set(arity, statement);
  return statement;
}

/**
 * Runs one prepared statement for many rows in a single SQLite transaction, straight on the
 * better-sqlite3 handle: one commit for the batch and no per-row query building. The rows come as
 * their values one after the other, `arity` per row, and `build` takes any whole number of rows'
 * values: with `rowsPerStatement` above one, full groups of that many rows go through one
 * multi-row statement, which spares a statement execution per row. Returns false when it cannot
 * (not SQLite, or a Kysely transaction holds the connection), and the caller then takes its
 * portable path.
 */
export function runBatchOnSqlite<D extends Kysely<any>>(
  db: D,
  build: (db: D, ...values: unknown[]) => Compilable<unknown>,
  values: readonly unknown[],
  arity: number,
  rowsPerStatement = 1,
): boolean {
  const sqlite = rawSqlite.get(db);
  if (values.length === 0) return true;
  if (!sqlite || sqlite.inTransaction) return false;
  const single = batchStatement(sqlite, db, build, arity);
  const groupLength = arity * rowsPerStatement;
  const many =
    rowsPerStatement > 1 && values.length >= groupLength
      ? batchStatement(sqlite, db, build, groupLength)
      : undefined;
  // An array binds as the statement's parameters in order, without spreading it into arguments.
  const run = ({ statement, parameters, slots, direct }: BatchStatement, args: readonly unknown[]) =>
    statement.run(direct ? args : bindParameters(parameters, slots, args));
  sqlite.transaction(() => {
    let at = 0;
    if (many) {
      for (; at + groupLength <= values.length; at += groupLength)
        run(many, values.slice(at, at + groupLength));
    }
    for (; at < values.length; at += arity) run(single, values.slice(at, at + arity));
  })();
  return true;
}

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
  const run = syncRunner(db, sqlite);
  return { ok: true, value: sqlite.transaction(() => work(run)).immediate() };
}

/** A {@link SyncRunner} on `sqlite`: each query compiled and prepared once, then only re-bound. */
function syncRunner<D extends Kysely<any>>(db: D, sqlite: BetterSqlite3.Database): SyncRunner<D> {
  return (build, ...args) => {
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
}

interface QueuedWork {
  work: (run: SyncRunner<any>) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Works waiting for the next group commit, per SQLite handle. */
const commitQueues = new WeakMap<BetterSqlite3.Database, QueuedWork[]>();

/** The most works one commit takes: bounds how long a group holds the write lock. */
const MAX_GROUP = 128;

/**
 * {@link sqliteTransaction} with group commit: `work` runs, atomically, in a transaction shared
 * with every other work queued in the same event-loop turn, and the promise settles once that
 * transaction has committed (or with the error `work` threw, its own writes undone). On SQLite a
 * commit costs more than the inserts it carries (it writes every page a transaction touched, and
 * a new post touches eight B-trees), so concurrent requests storing posts share one.
 * Each work runs in its own SAVEPOINT when there are several, so one failing (a duplicate
 * Idempotency-Key, say) takes nothing else with it.
 *
 * Returns undefined when it cannot run on SQLite (PostgreSQL, or `db` is a Kysely transaction):
 * callers then take their portable path. The work's writes are invisible to other readers until
 * the promise settles, so callers must await it before reading them back.
 */
export function sqliteGroupCommit<D extends Kysely<any>, T>(
  db: D,
  work: (run: SyncRunner<D>) => T,
): Promise<T> | undefined {
  const sqlite = rawSqlite.get(db);
  if (!sqlite) return undefined;
  let queue = commitQueues.get(sqlite);
  if (!queue) {
    queue = [];
    commitQueues.set(sqlite, queue);
  }
  const waiting = queue;
  const settled = new Promise<T>((resolve, reject) => {
    waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
  // The first work of a group schedules its commit after the I/O callbacks of this turn, so the
  // requests that arrived together land together.
  if (waiting.length === 1) setImmediate(() => void commitGroup(db, sqlite, waiting));
  return settled;
}

async function commitGroup<D extends Kysely<any>>(
  db: D,
  sqlite: BetterSqlite3.Database,
  queue: QueuedWork[],
): Promise<void> {
  const group = queue.splice(0, MAX_GROUP);
  if (queue.length > 0) setImmediate(() => void commitGroup(db, sqlite, queue));
  const commit = () => {
    const run = syncRunner(db, sqlite);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    sqlite
      .transaction(() => {
        // Alone, a work's failure rolls the whole transaction back: no savepoint needed.
        if (group.length === 1) {
          outcomes.push({ ok: true, value: group[0]!.work(run) });
          return;
        }
        for (const { work } of group) {
          try {
            // Nested: better-sqlite3 runs it in a SAVEPOINT, rolled back alone if it throws.
            outcomes.push({ ok: true, value: sqlite.transaction(() => work(run))() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })
      .immediate();
    return outcomes;
  };
  try {
    // A Kysely transaction open across an await owns the connection: queue behind it, or these
    // statements would join it. Otherwise nothing can interleave with this synchronous commit.
    const outcomes = sqlite.inTransaction ? await db.connection().execute(async () => commit()) : commit();
    outcomes.forEach((outcome, index) => {
      const { resolve, reject } = group[index]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  } catch (error) {
    // The transaction as a whole failed (or the only work threw): nothing of the group landed.
    for (const { reject } of group) reject(error);
  }
}
