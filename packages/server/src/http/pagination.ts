import { DEFAULT_PAGE_SIZE } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { SelectQueryBuilder } from 'kysely';
import { ApiError } from '../errors.js';

/** A position in a newest-first list: the last item's creation time and id. */
export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === 'string')) {
      return { createdAt: parsed[0] as string, id: parsed[1] as string };
    }
  } catch {
    // fall through to the uniform error below
  }
  throw new ApiError('validation_error', 'Invalid request: cursor is not a value this server issued', [
    { field: 'cursor', message: 'not a valid cursor' },
  ]);
}

/**
 * Orders a query newest first by (created_at, id) and starts it after `cursor`. Fetches one row
 * more than the page so {@link toPage} can tell whether a next page exists without a count.
 */
export function newestFirst<QB extends SelectQueryBuilder<any, any, any>>(
  query: QB,
  table: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): QB {
  const cursor = decodeCursor(page.cursor);
  const createdAt = `${table}.created_at`;
  const id = `${table}.id`;
  let next = query
    .orderBy(createdAt, 'desc')
    .orderBy(id, 'desc')
    .limit((page.limit ?? DEFAULT_PAGE_SIZE) + 1);
  if (cursor) {
    next = next.where((eb: any) =>
      eb.or([
        eb(createdAt, '<', cursor.createdAt),
        eb.and([eb(createdAt, '=', cursor.createdAt), eb(id, '<', cursor.id)]),
      ]),
    );
  }
  return next as QB;
}

/** Splits the extra row off and returns the page and the cursor of the next one. */
export function toPage<Row extends { id: string; created_at: string }>(
  rows: Row[],
  limit: number | undefined,
): { rows: Row[]; nextCursor: string | undefined } {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  if (rows.length <= size) return { rows, nextCursor: undefined };
  const pageRows = rows.slice(0, size);
  const last = pageRows[pageRows.length - 1]!;
  return { rows: pageRows, nextCursor: encodeCursor({ createdAt: last.created_at, id: last.id }) };
}

/** Announces the next page in a `Link` header; the body stays a bare array. */
export function setNextLink(ctx: Context, publicUrl: string, nextCursor: string | undefined): void {
  if (!nextCursor) return;
  const params = new URLSearchParams(ctx.querystring);
  params.set('cursor', nextCursor);
  ctx.set('Link', `<${publicUrl}${ctx.path}?${params.toString()}>; rel="next"`);
}
