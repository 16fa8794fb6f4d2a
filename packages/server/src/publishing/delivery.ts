import type { DeliveryErrorCode, Platform, PlatformOptions } from '@mypostshare/contract';
import { mediaUrlsOf } from '@mypostshare/contract';
import type { AppDeps } from '../app.js';
import {
  findClaimedDeliveryWithPost,
  findConnectionFor,
  saveCheckpoint,
  startAttempt,
} from '../db/repositories/deliveries.js';
import { finishDeliveryAndRefreshPost, type StoredMedia } from '../db/repositories/posts.js';
import type { ConnectionsTable, PostDeliveriesTable, PostsTable } from '../db/schema.js';
import { describeUrl } from '../providers/media-stream.js';
import {
  type Checkpoint,
  MediaError,
  type MediaItem,
  type PublishAdapter,
  type PublishContext,
  type PublishedPost,
} from '../providers/publishing.js';
import { publisherFor } from '../providers/registry.js';
import { ProviderError, type TokenSet } from '../providers/types.js';
import {
  ConnectionExpiredError,
  expireConnection,
  getFreshTokens,
  refreshConnection,
} from '../services/token-refresh.js';
import { abortableSleep } from './runtime.js';

/*
 * One delivery: publishing one post request to one platform, for a process that holds the
 * delivery's lease. Every write is guarded by the lease (`lease_owner = us`), so a worker that lost
 * its lease can never overwrite the work of the one that took over.
 *
 * The one rule that matters most: no provider accepts an idempotency key, so once the adapter has
 * declared the create call (`beforeCreate`, stored as phase `attempting`) an attempt whose outcome
 * is unknown is never repeated blindly. It is resolved by asking the provider (`recover`) or ends
 * `failed` with `delivery_interrupted`.
 */

/** Retry back-off: 30 s doubling per attempt, at most 1 h, with jitter (50–100 %). */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 3600_000;

export function retryDelayMs(attempt: number, hintMs: number | undefined, random = Math.random): number {
  if (hintMs !== undefined) {
    // The provider said when: honour it, plus a little jitter so a crowd does not return at once.
    return Math.ceil(hintMs + hintMs * 0.1 * random());
  }
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.ceil(ceiling * (0.5 + 0.5 * random()));
}

/** The shape `mediaUrlsOf` reads; stored media has only the media fields. */
type PostContentShape = { content: string; platforms: [] };

type Outcome =
  | { kind: 'published'; post: PublishedPost }
  | { kind: 'failed'; code: DeliveryErrorCode; message: string }
  | { kind: 'retry'; message: string; delayMs: number }
  /** Shutdown interrupted work before the create call: put it back in the queue. */
  | { kind: 'released'; inDoubt: boolean };

class LeaseLostError extends Error {}

/** What a delivery needs of its post. */
type PostForDelivery = Pick<
  PostsTable,
  'id' | 'app_id' | 'end_user_id' | 'status' | 'content' | 'title' | 'media' | 'platform_options'
>;

interface Loaded {
  delivery: PostDeliveriesTable;
  post: PostForDelivery;
}

/**
 * A delivery this process has just inserted, lease held and its first attempt already counted
 * (`attempts: 1`, written with the insert): an immediate publish. Running it needs neither a read
 * of the rows back nor a write to start the attempt, one commit fewer before the provider is called.
 * Should the process die before the call, the delivery is recovered like any other, one attempt
 * spent: the count may run ahead of the calls made, never behind.
 */
export type InsertedDelivery = Loaded;

const MAX_MESSAGE = 500;
const clip = (message: string) =>
  message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;

/**
 * Runs one claimed delivery to its next resting state: published, failed, retrying (with a next
 * attempt time), or released back to the queue when the process is shutting down.
 */
export async function runDelivery(
  deps: AppDeps,
  deliveryId: string,
  inserted?: InsertedDelivery,
): Promise<void> {
  const runtime = deps.publishing;
  const owner = runtime.owner;
  const loaded = inserted ?? (await load(deps, deliveryId, owner));
  if (!loaded) return; // not ours any more (lease lapsed and taken over), or gone
  const { delivery, post } = loaded;
  const platform = delivery.platform as Platform;

  if (post.status === 'canceled') {
    await finish(deps, delivery, { status: 'canceled' });
    return;
  }

  const state = {
    checkpoint: JSON.parse(delivery.checkpoint) as Checkpoint,
    inDoubt: delivery.phase === 'attempting',
  };
  let outcome: Outcome;
  try {
    const adapter = publisherFor(deps.config, platform, {
      sandbox: delivery.sandbox === 1,
      now: () => deps.clock.now(),
    });
    outcome = await attempt(deps, { delivery, post }, adapter, state, inserted !== undefined);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      deps.logger.warn({ deliveryId, platform }, 'delivery lease lost; another worker owns it now');
      return;
    }
    deps.logger.error(
      { deliveryId, platform, err: (error as Error).message },
      'delivery failed unexpectedly',
    );
    outcome = state.inDoubt
      ? {
          kind: 'failed',
          code: 'delivery_interrupted',
          message: 'The attempt was interrupted; whether the post landed is unknown',
        }
      : { kind: 'failed', code: 'internal_error', message: 'Publishing failed because of an internal error' };
  }
  await record(deps, delivery, post, outcome);
}

async function attempt(
  deps: AppDeps,
  { delivery, post }: Loaded,
  adapter: PublishAdapter,
  state: { checkpoint: Checkpoint; inDoubt: boolean },
  /** The stored row already counts the first attempt (an {@link InsertedDelivery}). */
  firstAttemptCounted: boolean,
): Promise<Outcome> {
  const runtime = deps.publishing;
  const platform = delivery.platform as Platform;
  const connection = await findConnection(deps, post, platform);
  if (!connection) {
    return {
      kind: 'failed',
      code: 'platform_not_connected',
      message: `No ${platform} connection for this end user`,
    };
  }
  const media = await resolveMedia(deps, post, delivery.sandbox === 1).catch((error: unknown) => error);
  const mediaError = media instanceof MediaError ? media : undefined;
  if (!mediaError && media instanceof Error) throw media;

  const owner = runtime.owner;
  const writeCheckpoint = async (phase: 'attempting' | null) =>
    requireLanded(
      await saveCheckpoint(
        deps.db,
        delivery.id,
        owner,
        JSON.stringify(state.checkpoint),
        phase,
        deps.clock.now().toISOString(),
      ),
      delivery.id,
    );

  let tokens: TokenSet | undefined;
  const context = (resolvedMedia: ResolvedMedia): PublishContext => ({
    tokens: tokens!,
    account: {
      remoteAccountId: connection.remote_account_id,
      remoteUsername: connection.remote_username,
      accountType: connection.account_type,
    },
    content: contentFor(post, platform, resolvedMedia),
    checkpoint: { ...state.checkpoint },
    save: async (checkpoint) => {
      state.checkpoint = checkpoint;
      await writeCheckpoint(state.inDoubt ? 'attempting' : null);
    },
    beforeCreate: async (checkpoint) => {
      if (checkpoint) state.checkpoint = checkpoint;
      await writeCheckpoint('attempting');
      state.inDoubt = true;
    },
    sleep: (ms) => abortableSleep(ms, runtime.signal),
    signal: runtime.signal,
  });

  // An attempt from an earlier life (the process died, or lost its lease) is in doubt: ask first.
  if (state.inDoubt) {
    const recovered = await recoverInDoubt(
      deps,
      connection,
      adapter,
      context,
      mediaError ? undefined : (media as ResolvedMedia),
    );
    if (recovered) return recovered;
    state.inDoubt = false;
    await writeCheckpoint(null);
  }
  if (mediaError) return { kind: 'failed', code: 'media_invalid', message: clip(mediaError.message) };
  const resolvedMedia = media as ResolvedMedia;

  let refreshedForReconnect = false;
  let attempts = firstAttemptCounted ? delivery.attempts - 1 : delivery.attempts;
  for (;;) {
    if (runtime.stopping) return { kind: 'released', inDoubt: false };
    attempts += 1;
    const first = attempts === delivery.attempts + (firstAttemptCounted ? 0 : 1);
    if (!(first && firstAttemptCounted)) {
      requireLanded(
        await startAttempt(deps.db, delivery.id, owner, attempts, deps.clock.now().toISOString()),
        delivery.id,
      );
    }
    try {
      // The connection was read just above for the first attempt; later ones read it afresh.
      tokens = await getFreshTokens(deps, connection.id, first ? connection : undefined);
      const published = await adapter.publish(context(resolvedMedia));
      return { kind: 'published', post: published };
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof ConnectionExpiredError) {
        return {
          kind: 'failed',
          code: 'connection_expired',
          message: 'The connection expired; the end user must reconnect',
        };
      }
      if (error instanceof MediaError) {
        if (state.inDoubt) return interrupted();
        return { kind: 'failed', code: 'media_invalid', message: clip(error.message) };
      }
      if (runtime.stopping && !state.inDoubt) return { kind: 'released', inDoubt: false };
      if (!(error instanceof ProviderError)) throw error;
      if (state.inDoubt && error.outcomeUnknown) {
        // The create call went out and no answer came back: the post may exist. Ask, never repeat.
        const recovered = await recoverInDoubt(deps, connection, adapter, context, resolvedMedia);
        if (recovered) return recovered;
        state.inDoubt = false;
        await writeCheckpoint(null);
        continue;
      }
      // The provider answered with an error, so nothing was created: it is safe to act on it.
      state.inDoubt = false;
      await writeCheckpoint(null);
      const { classification } = error;
      if (classification.kind === 'reconnect') {
        if (!refreshedForReconnect) {
          // X and YouTube: a 401 can mean a token revoked early; refresh once and try again.
          // LinkedIn: a 401 right after the code exchange is a propagation delay; one retry.
          refreshedForReconnect = true;
          try {
            await refreshConnection(deps, (await reloadConnection(deps, connection.id)) ?? connection);
          } catch (refreshError) {
            if (refreshError instanceof ConnectionExpiredError) {
              return { kind: 'failed', code: 'connection_expired', message: clip(refreshError.message) };
            }
          }
          continue;
        }
        const current = await reloadConnection(deps, connection.id);
        if (current) await expireConnection(deps, current, classification.message);
        return { kind: 'failed', code: 'connection_expired', message: clip(classification.message) };
      }
      if (classification.kind === 'retry') {
        if (attempts >= deps.config.publishing.maxAttempts) {
          return {
            kind: 'failed',
            code: 'provider_unavailable',
            message: clip(`Gave up after ${attempts} attempts: ${classification.message}`),
          };
        }
        return {
          kind: 'retry',
          message: clip(classification.message),
          delayMs: retryDelayMs(attempts, classification.retryAfterMs),
        };
      }
      return { kind: 'failed', code: 'provider_rejected', message: clip(classification.message) };
    }
  }
}

/** The result when an attempt in doubt cannot be resolved. */
const interrupted = (): Outcome => ({
  kind: 'failed',
  code: 'delivery_interrupted',
  message:
    'The attempt was interrupted and the provider cannot tell whether the post landed; it was not repeated',
});

/**
 * Resolves an attempt in doubt through the adapter's `recover`. Returns the outcome, or undefined
 * when the provider is sure the post does not exist (the caller may then try again).
 */
async function recoverInDoubt(
  deps: AppDeps,
  connection: ConnectionsTable,
  adapter: PublishAdapter,
  context: (media: ResolvedMedia) => PublishContext,
  media: ResolvedMedia | undefined,
): Promise<Outcome | undefined> {
  if (!adapter.recover) return interrupted();
  try {
    const tokens = await getFreshTokens(deps, connection.id);
    const ctx = context(media ?? { items: [], thumbnail: undefined });
    const result = await adapter.recover({ ...ctx, tokens });
    if (result.outcome === 'published') return { kind: 'published', post: result.post };
    if (result.outcome === 'not_published') return undefined;
    return interrupted();
  } catch (error) {
    deps.logger.warn(
      { connectionId: connection.id, err: (error as Error).message },
      'could not recover an attempt',
    );
    return interrupted();
  }
}

interface ResolvedMedia {
  items: MediaItem[];
  thumbnail: MediaItem | undefined;
}

/** Probes every media URL of the post (type and size) through the guarded fetcher. */
async function resolveMedia(deps: AppDeps, post: PostForDelivery, sandbox: boolean): Promise<ResolvedMedia> {
  const stored = JSON.parse(post.media) as StoredMedia;
  const fetcher = deps.publishing.mediaFetcher(sandbox);
  const urls = mediaUrlsOf(stored as PostContentShape & StoredMedia);
  const items = await Promise.all(urls.map((url) => fetcher.probe(url)));
  const thumbnail = stored.thumbnailUrl ? await fetcher.probe(stored.thumbnailUrl) : undefined;
  if (thumbnail && thumbnail.kind !== 'image') {
    throw new MediaError(undefined, 'thumbnailUrl must be an image');
  }
  return { items, thumbnail };
}

function contentFor(
  post: PostForDelivery,
  platform: Platform,
  media: ResolvedMedia,
): PublishContext['content'] {
  const options = (JSON.parse(post.platform_options) as PlatformOptions)[platform] ?? {};
  const { content: override, ...rest } = options as { content?: string } & Record<string, unknown>;
  return {
    text: override ?? post.content,
    title: post.title ?? undefined,
    media: media.items,
    thumbnail: media.thumbnail,
    options: rest as PublishContext['content']['options'],
  };
}

async function findConnection(deps: AppDeps, post: PostForDelivery, platform: Platform) {
  if (!post.end_user_id) return undefined;
  return (await findConnectionFor(deps.db, post.app_id, post.end_user_id, platform))[0];
}

const reloadConnection = (deps: AppDeps, id: string) =>
  deps.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();

async function load(deps: AppDeps, deliveryId: string, owner: string): Promise<Loaded | undefined> {
  const [row] = await findClaimedDeliveryWithPost(deps.db, deliveryId, owner);
  if (!row) return undefined;
  const {
    post_status,
    post_content,
    post_title,
    post_media,
    post_platform_options,
    post_app_id,
    post_end_user_id,
    ...delivery
  } = row;
  return {
    delivery,
    post: {
      id: delivery.post_id,
      app_id: post_app_id,
      end_user_id: post_end_user_id,
      status: post_status,
      content: post_content,
      title: post_title,
      media: post_media,
      platform_options: post_platform_options,
    },
  };
}

/** Fails with LeaseLostError when a guarded write found no row: another worker owns it now. */
function requireLanded(rows: unknown[], deliveryId: string): void {
  if (rows.length === 0) throw new LeaseLostError(deliveryId);
}

interface Finish {
  status: string;
  phase?: string | null;
  externalId?: string | null;
  url?: string | null;
  publishedAt?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  nextAttemptAt?: string | null;
  leaseUntil?: string | null;
}

/** Stores the outcome under the lease, and the post's status with it; false when the lease was lost. */
function finish(deps: AppDeps, delivery: PostDeliveriesTable, outcome: Finish): Promise<boolean> {
  return finishDeliveryAndRefreshPost(
    deps.db,
    { id: delivery.id, postId: delivery.post_id, owner: deps.publishing.owner },
    {
      status: outcome.status,
      phase: outcome.phase ?? null,
      externalId: outcome.externalId ?? null,
      url: outcome.url ?? null,
      publishedAt: outcome.publishedAt ?? null,
      errorCode: outcome.errorCode ?? null,
      errorMessage: outcome.errorMessage ?? null,
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      leaseUntil: outcome.leaseUntil ?? null,
    },
    deps.clock.now(),
  );
}

/** Stores an outcome and lets go of the lease; the post's status follows. */
async function record(
  deps: AppDeps,
  delivery: PostDeliveriesTable,
  post: PostForDelivery,
  outcome: Outcome,
): Promise<void> {
  const now = deps.clock.now();
  // Messages may quote a media URL; presigned ones carry credentials in the query: keep only the path.
  const mediaUrls = [...mediaUrlsOf(JSON.parse(post.media) as StoredMedia & PostContentShape)];
  const thumbnail = (JSON.parse(post.media) as StoredMedia).thumbnailUrl;
  if (thumbnail) mediaUrls.push(thumbnail);
  const scrub = (message: string) =>
    mediaUrls.reduce((text, url) => text.replaceAll(url, describeUrl(url)), message);
  const log = { deliveryId: delivery.id, platform: delivery.platform };
  switch (outcome.kind) {
    case 'published': {
      const stored = await finish(deps, delivery, {
        status: 'published',
        externalId: outcome.post.externalId,
        url: outcome.post.url,
        publishedAt: now.toISOString(),
      });
      // Logged once stored, so the line means what it says: a worker killed before the write
      // leaves the delivery to recovery, not a "published" line for a post nobody recorded.
      if (stored) deps.logger.info(log, 'published');
      return;
    }
    case 'failed':
      deps.logger.info({ ...log, errorCode: outcome.code }, 'delivery failed');
      await finish(deps, delivery, {
        status: 'failed',
        errorCode: outcome.code,
        errorMessage: scrub(outcome.message),
      });
      return;
    case 'retry':
      deps.logger.info({ ...log, retryInMs: outcome.delayMs }, 'delivery will be retried');
      await finish(deps, delivery, {
        status: 'retrying',
        errorCode: 'provider_unavailable',
        errorMessage: scrub(outcome.message),
        nextAttemptAt: new Date(now.getTime() + outcome.delayMs).toISOString(),
      });
      return;
    case 'released':
      // Back in the queue at once, for whichever worker is still (or next) running. An attempt in
      // doubt stays `publishing` and `attempting` with a lapsed lease: whoever claims it next asks
      // the provider before anything else.
      await finish(deps, delivery, {
        status: outcome.inDoubt ? 'publishing' : 'queued',
        phase: outcome.inDoubt ? 'attempting' : null,
        nextAttemptAt: now.toISOString(),
        leaseUntil: outcome.inDoubt ? now.toISOString() : null,
      });
      return;
  }
}
