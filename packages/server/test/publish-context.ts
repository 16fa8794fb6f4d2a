import type {
  Checkpoint,
  MediaItem,
  MediaKind,
  PublishContent,
  PublishContext,
} from '../src/providers/publishing.js';
import type { TokenSet } from '../src/providers/types.js';

/*
 * Builders for publish-adapter tests: a PublishContext that records what the adapter saved and
 * when it declared the create call, and media items served from memory.
 */

/** A media item whose bytes come from memory; `opens` counts how often the adapter opened it. */
export function mediaFromBytes(
  url: string,
  kind: MediaKind,
  contentType: string,
  bytes: Uint8Array,
): MediaItem & { opens: number } {
  const item = {
    url,
    kind,
    contentType,
    size: bytes.byteLength,
    opens: 0,
    async open() {
      item.opens += 1;
      return { contentType, size: bytes.byteLength, body: new Blob([bytes]).stream() };
    },
  };
  return item;
}

export interface RecordingContext extends PublishContext {
  /** Every checkpoint passed to `save` or `beforeCreate`, in order. */
  saved: Checkpoint[];
  /** How many times `beforeCreate` was called. */
  createCalls: number;
  /** The waits the adapter asked for, in milliseconds. */
  sleeps: number[];
}

export function publishContext(
  overrides: {
    tokens?: Partial<TokenSet>;
    account?: Partial<PublishContext['account']>;
    content?: Partial<PublishContent>;
    checkpoint?: Checkpoint;
    signal?: AbortSignal;
  } = {},
): RecordingContext {
  const ctx: RecordingContext = {
    tokens: { accessToken: 'test-access-token', scopes: [], ...overrides.tokens },
    account: {
      remoteAccountId: 'acct_1',
      remoteUsername: 'someone',
      accountType: null,
      ...overrides.account,
    },
    content: { text: 'Hello world', media: [], options: {}, ...overrides.content },
    checkpoint: { ...(overrides.checkpoint ?? {}) },
    saved: [],
    createCalls: 0,
    sleeps: [],
    async save(checkpoint) {
      ctx.checkpoint = { ...checkpoint };
      ctx.saved.push({ ...checkpoint });
    },
    async beforeCreate(checkpoint) {
      ctx.createCalls += 1;
      if (checkpoint) {
        ctx.checkpoint = { ...checkpoint };
        ctx.saved.push({ ...checkpoint });
      }
    },
    async sleep(ms) {
      ctx.sleeps.push(ms);
      if (ctx.signal.aborted) throw ctx.signal.reason;
    },
    signal: overrides.signal ?? new AbortController().signal,
  };
  return ctx;
}
