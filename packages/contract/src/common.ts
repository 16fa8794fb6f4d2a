import * as z from 'zod';

/** An ISO 8601 UTC timestamp such as `2026-03-21T08:00:00.000Z`. */
export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 timestamp.' });

/** A UUID v4 identifier. */
export const Id = z.uuid();

/**
 * Free-form customer metadata: a JSON object of at most 16 KB once serialised.
 *
 * @example
 * ```ts
 * Metadata.parse({ plan: 'pro' });
 * ```
 */
export const Metadata = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => {
    try {
      return JSON.stringify(value).length <= 16_384;
    } catch {
      // Too deeply nested to serialise (or cyclic): certainly not acceptable metadata.
      return false;
    }
  }, 'metadata must be at most 16 KB of JSON')
  .meta({ description: 'Free-form JSON object, at most 16 KB.' });

/** Query parameters every list route takes. `limit` defaults to 50, at most 200. */
export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 1 to 200 (default 50).'),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'cursor must be the opaque value from a Link header')
    .optional()
    .describe('Opaque cursor taken from the `Link: <...>; rel="next"` header of the previous page.'),
});
export type PaginationQuery = z.infer<typeof PaginationQuery>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
