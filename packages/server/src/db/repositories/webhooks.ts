import type {
  ListWebhookDeliveriesQuery,
  PaginationQuery,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointStatus,
} from '@mypostshare/contract';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.js';

/*
 * Webhook endpoints, events and deliveries. Every read and write of the API is scoped by app: an
 * endpoint or delivery of another app is as absent as a missing one.
 */

/** The API shape of an endpoint: never its secrets. */
export function toWebhookEndpoint(row: WebhookEndpointsTable, now: Date): WebhookEndpoint {
  const until = row.previous_secrets_until;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events === null ? null : (JSON.parse(row.events) as string[]),
    status: row.status as WebhookEndpointStatus,
    previousSecretExpiresAt: until && until > now.toISOString() ? until : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The API shape of a delivery (with its event's type). */
export const toWebhookDelivery = (row: WebhookDeliveriesTable & { event_type: string }): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status as WebhookDeliveryStatus,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  lastAttemptAt: row.last_attempt_at,
  responseStatus: row.response_status,
  durationMs: row.duration_ms,
  error: row.error,
  responseBody: row.response_body,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function insertWebhookEndpoint(db: Db, row: WebhookEndpointsTable): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export const findWebhookEndpoint = (db: Db, appId: string, id: string) =>
  db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function listWebhookEndpoints(db: Db, appId: string, page: PaginationQuery) {
  const select = db.selectFrom('webhook_endpoints').selectAll().where('webhook_endpoints.app_id', '=', appId);
  return toPage(await newestFirst(select, 'webhook_endpoints', page).execute(), page.limit);
}

/** Deletes an endpoint (its deliveries go with it); false when the app has no such endpoint. */
export async function deleteWebhookEndpoint(db: Db, appId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webhook_endpoints')
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

const deliveryColumns = (db: Db) =>
  db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .selectAll('webhook_deliveries')
    .select('webhook_events.type as event_type');

export async function listWebhookDeliveries(
  db: Db,
  appId: string,
  endpointId: string,
  query: ListWebhookDeliveriesQuery,
) {
  let select = deliveryColumns(db)
    .where('webhook_deliveries.app_id', '=', appId)
    .where('webhook_deliveries.endpoint_id', '=', endpointId);
  if (query.status !== undefined) select = select.where('webhook_deliveries.status', '=', query.status);
  return toPage(await newestFirst(select, 'webhook_deliveries', query).execute(), query.limit);
}

export const findWebhookDelivery = (db: Db, appId: string, endpointId: string, id: string) =>
  deliveryColumns(db)
    .where('webhook_deliveries.app_id', '=', appId)
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .where('webhook_deliveries.id', '=', id)
    .executeTakeFirst();
