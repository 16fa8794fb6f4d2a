import { record, str } from './oauth-helpers.js';
import type { Checkpoint, PublishedPost } from './publishing.js';

/*
 * Reading the checkpoints adapters saved (providers/publishing.ts): stored JSON is read back
 * defensively, keeping only what has the expected shape.
 */

/**
 * The entries of a saved list that parse, up to the first that does not: a gap would shift every
 * later id onto the wrong file, so only the intact prefix is kept. Undefined when it is no list.
 */
export function intactPrefix<T>(value: unknown, parse: (entry: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const parsed = value.map(parse);
  const gap = parsed.indexOf(undefined);
  return (gap === -1 ? parsed : parsed.slice(0, gap)) as T[];
}

/** The post an earlier attempt saved once the provider created it (`checkpoint.post`), if any. */
export function savedPost(checkpoint: Checkpoint): PublishedPost | undefined {
  const post = record(checkpoint.post);
  const externalId = str(post?.externalId);
  return externalId ? { externalId, url: str(post?.url) ?? null } : undefined;
}
