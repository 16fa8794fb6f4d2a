import { randomUUID } from 'node:crypto';
import type {
  ConnectErrorCode,
  ConnectionEventData,
  ConnectSessionEventData,
  Platform,
  WebhookEvent,
  WebhookEventType,
} from '@mypostshare/contract';
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import { failConnectSession } from '../db/repositories/connect-sessions.js';
import type { ConnectionsTable, Database, WebhookDeliveriesTable } from '../db/schema.js';
import { wakeWebhookDispatchers } from './runtime.js';
import { newEventId } from './signing.js';

/*
 * The outbox: an event is stored together with one delivery row per subscribed endpoint, by the
 * same transaction that makes the change it describes, so an event exists exactly when its change
 * does (no event for a rolled-back change, no change without its event). The dispatcher delivers
 * from these rows, at least once.
 */

/** A database handle or an open transaction. */
type Queryable = Kysely<Database>;

type EventOf<T extends WebhookEvent['type']> = Extract<WebhookEvent, { type: T }>;

const liveEndpointStatement = prepared((db: Db, appId: string) =>
  db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('app_id', '=', appId)
    .where('status', '!=', 'disabled')
    .limit(1),
);

/**
 * Whether the app has an endpoint that may receive events: one prepared read, so hot paths can
 * skip the transaction an event needs when nobody listens.
 */
export async function hasLiveWebhookEndpoint(db: Db, appId: string): Promise<boolean> {
  return (await liveEndpointStatement(db, appId)).length > 0;
}

/** The delivery rows of a new event: due at once. */
function newDeliveries(eventId: string, appId: string, endpointIds: string[], now: string) {
  return endpointIds.map(
    (endpointId): WebhookDeliveriesTable => ({
      id: randomUUID(),
      event_id: eventId,
      endpoint_id: endpointId,
      app_id: appId,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_until: null,
      manual: 0,
      last_attempt_at: null,
      response_status: null,
      duration_ms: null,
      error: null,
      response_body: null,
      created_at: now,
      updated_at: now,
    }),
  );
}

/**
 * Stores an event for every live endpoint of the app subscribed to its type, inside the caller's
 * transaction. Returns the event id, or undefined when no endpoint wants it (nothing is stored).
 */
export async function emitWebhookEvent<T extends WebhookEventType>(
  db: Queryable,
  event: { appId: string; type: T; data: EventOf<T>['data']; now: Date },
): Promise<string | undefined> {
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('app_id', '=', event.appId)
    .where('status', '!=', 'disabled')
    .execute();
  const subscribed = endpoints.filter(
    (endpoint) => endpoint.events === null || (JSON.parse(endpoint.events) as string[]).includes(event.type),
  );
  if (subscribed.length === 0) return undefined;
  const id = newEventId();
  const createdAt = event.now.toISOString();
  await db
    .insertInto('webhook_events')
    .values({
      id,
      app_id: event.appId,
      type: event.type,
      payload: JSON.stringify({ id, type: event.type, createdAt, data: event.data }),
      created_at: createdAt,
    })
    .execute();
  await db
    .insertInto('webhook_deliveries')
    .values(
      newDeliveries(
        id,
        event.appId,
        subscribed.map((endpoint) => endpoint.id),
        createdAt,
      ),
    )
    .execute();
  wakeWebhookDispatchers();
  return id;
}

/** `data` of a `connection.*` event. The end user's external id is read in the same transaction. */
export async function connectionEventData(
  db: Queryable,
  row: ConnectionsTable,
  overrides: Partial<Pick<ConnectionEventData, 'status' | 'reason' | 'externalUserId'>> = {},
): Promise<ConnectionEventData> {
  const externalUserId =
    overrides.externalUserId ??
    (
      await db
        .selectFrom('end_users')
        .select('external_user_id')
        .where('id', '=', row.end_user_id)
        .executeTakeFirst()
    )?.external_user_id ??
    '[erased]';
  return {
    connectionId: row.id,
    platform: row.platform as Platform,
    endUserId: row.end_user_id,
    externalUserId,
    status: overrides.status ?? (row.status as ConnectionEventData['status']),
    remoteAccountId: row.remote_account_id,
    expiresAt: row.expires_at,
    ...(overrides.reason ? { reason: overrides.reason } : {}),
  };
}

/** What the session events need of a session. */
interface SessionForEvent {
  id: string;
  app_id: string;
  end_user_id: string;
  platform: string;
  external_user_id: string;
}

export function connectSessionEventData(
  session: SessionForEvent,
  outcome: { status: ConnectSessionEventData['status']; connectionId?: string; errorCode?: ConnectErrorCode },
): ConnectSessionEventData {
  return {
    connectSessionId: session.id,
    status: outcome.status,
    platform: session.platform as Platform,
    endUserId: session.end_user_id,
    externalUserId: session.external_user_id,
    connectionId: outcome.connectionId ?? null,
    errorCode: outcome.errorCode ?? null,
  };
}

/**
 * Fails a pending connect session and emits `connect_session.failed` in the same transaction.
 * False when the session had already ended (nothing changed, no event).
 */
export async function failConnectSessionWithEvent(
  db: Db,
  session: SessionForEvent,
  errorCode: ConnectErrorCode,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const failed = await failConnectSession(trx, session.id, errorCode, now.toISOString());
    if (failed) {
      await emitWebhookEvent(trx, {
        appId: session.app_id,
        type: 'connect_session.failed',
        data: connectSessionEventData(session, { status: 'failed', errorCode }),
        now,
      });
    }
    return failed;
  });
}
