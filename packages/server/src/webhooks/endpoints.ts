import { randomUUID } from 'node:crypto';
import {
  type CreateWebhookEndpointRequest,
  type ListWebhookDeliveriesQuery,
  type PaginationQuery,
  WEBHOOK_TEST_EVENT_TYPE,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import {
  deleteWebhookEndpoint,
  findWebhookDelivery,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  toWebhookDelivery,
  toWebhookEndpoint,
} from '../db/repositories/webhooks.js';
import type { WebhookEndpointsTable } from '../db/schema.js';
import { ApiError, notFound } from '../errors.js';
import { setNextLink } from '../http/pagination.js';
import { runWebhookDelivery } from './deliver.js';
import { webhookRuntime } from './runtime.js';
import { newEndpointSecret, rotatedSecretColumns } from './secrets.js';
import { newEventId } from './signing.js';
import { checkWebhookUrl } from './urls.js';

/*
 * The webhook-endpoint operations behind both the public API (the caller's app) and the admin API
 * (any app): the routes only resolve the app and call these.
 */

/** An endpoint of the app, or 404 (another app's endpoint is as absent as a missing one). */
export async function requireWebhookEndpoint(
  deps: AppDeps,
  appId: string,
  id: string,
): Promise<WebhookEndpointsTable> {
  const endpoint = await findWebhookEndpoint(deps.db, appId, id);
  if (!endpoint) throw notFound('Webhook endpoint');
  return endpoint;
}

export async function createWebhookEndpoint(
  deps: AppDeps,
  appId: string,
  body: CreateWebhookEndpointRequest,
): Promise<WebhookEndpointWithSecret> {
  const url = await checkWebhookUrl(body.url, {
    allowPrivateNetwork: deps.config.allowPrivateNetwork,
    resolve: webhookRuntime(deps.db).resolve,
  });
  const now = deps.clock.now();
  const id = randomUUID();
  const { secret, secretEnc } = newEndpointSecret(deps, id);
  const row: WebhookEndpointsTable = {
    id,
    app_id: appId,
    url,
    description: body.description || null,
    events: body.events ? JSON.stringify(body.events) : null,
    status: 'active',
    secret_enc: secretEnc,
    previous_secrets_enc: null,
    previous_secrets_until: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await insertWebhookEndpoint(deps.db, row);
  return { ...toWebhookEndpoint(row, now), secret };
}

export async function listEndpointsPage(
  deps: AppDeps,
  appId: string,
  query: PaginationQuery,
  ctx: Context,
): Promise<WebhookEndpoint[]> {
  const page = await listWebhookEndpoints(deps.db, appId, query);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  const now = deps.clock.now();
  return page.rows.map((row) => toWebhookEndpoint(row, now));
}

export async function getEndpoint(deps: AppDeps, appId: string, id: string): Promise<WebhookEndpoint> {
  return toWebhookEndpoint(await requireWebhookEndpoint(deps, appId, id), deps.clock.now());
}

export async function deleteEndpoint(deps: AppDeps, appId: string, id: string): Promise<void> {
  if (!(await deleteWebhookEndpoint(deps.db, appId, id))) throw notFound('Webhook endpoint');
}

/** A new secret for the endpoint; the old one (and any still overlapping) keeps signing for 24 h. */
export async function rotateEndpointSecret(
  deps: AppDeps,
  appId: string,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  const endpoint = await requireWebhookEndpoint(deps, appId, id);
  const now = deps.clock.now();
  const { secret, columns } = rotatedSecretColumns(deps, endpoint, now);
  const updated = await deps.db
    .updateTable('webhook_endpoints')
    .set({ ...columns, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('app_id', '=', appId)
    // Only over the secret we read: of two concurrent rotations, the loser retries from scratch.
    .where('secret_enc', '=', endpoint.secret_enc)
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    if (!(await findWebhookEndpoint(deps.db, appId, id))) throw notFound('Webhook endpoint');
    return rotateEndpointSecret(deps, appId, id);
  }
  return { ...toWebhookEndpoint(updated, now), secret };
}

export async function listDeliveriesPage(
  deps: AppDeps,
  appId: string,
  endpointId: string,
  query: ListWebhookDeliveriesQuery,
  ctx: Context,
): Promise<WebhookDelivery[]> {
  await requireWebhookEndpoint(deps, appId, endpointId);
  const page = await listWebhookDeliveries(deps.db, appId, endpointId, query);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  return page.rows.map(toWebhookDelivery);
}

/** Runs one attempt of a delivery this request claimed, counted against the endpoint's slots. */
async function attemptNow(deps: AppDeps, appId: string, endpointId: string, deliveryId: string) {
  const runtime = webhookRuntime(deps.db);
  runtime.started(deps, endpointId);
  try {
    await runWebhookDelivery(deps, deliveryId, deps.publishing.owner);
  } finally {
    runtime.settled(endpointId);
  }
  const delivery = await findWebhookDelivery(deps.db, appId, endpointId, deliveryId);
  // Deleted meanwhile (with its endpoint).
  if (!delivery) throw notFound('Webhook delivery');
  return toWebhookDelivery(delivery);
}

/**
 * Sends a test-only `webhook.test` event to this one endpoint now, whatever its `events` and
 * status, and answers with the attempt. A failed test is not retried (the caller is watching); a
 * successful one makes a `failing` or `disabled` endpoint `active` again.
 */
export async function sendTestEvent(
  deps: AppDeps,
  appId: string,
  endpointId: string,
): Promise<WebhookDelivery> {
  await requireWebhookEndpoint(deps, appId, endpointId);
  const now = deps.clock.now();
  const createdAt = now.toISOString();
  const eventId = newEventId();
  const deliveryId = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_events')
      .values({
        id: eventId,
        app_id: appId,
        type: WEBHOOK_TEST_EVENT_TYPE,
        payload: JSON.stringify({
          id: eventId,
          type: WEBHOOK_TEST_EVENT_TYPE,
          createdAt,
          data: { endpointId, message: 'A test event from mypostshare. It describes nothing that happened.' },
        }),
        created_at: createdAt,
      })
      .execute();
    await trx
      .insertInto('webhook_deliveries')
      .values({
        id: deliveryId,
        event_id: eventId,
        endpoint_id: endpointId,
        app_id: appId,
        // Claimed by this request from the start: if the process dies, the lease lapses and a
        // worker makes the attempt instead.
        status: 'delivering',
        attempts: 0,
        next_attempt_at: null,
        lease_owner: deps.publishing.owner,
        lease_until: new Date(now.getTime() + deps.config.publishing.leaseMs).toISOString(),
        manual: 1,
        last_attempt_at: null,
        response_status: null,
        duration_ms: null,
        error: null,
        response_body: null,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute();
  });
  return attemptNow(deps, appId, endpointId, deliveryId);
}

/**
 * Attempts a delivery again now. A finished delivery (succeeded or failed) gets this one attempt,
 * with no automatic retries after it; a pending one has its next attempt brought forward and keeps
 * its schedule. 409 while an attempt is in flight.
 */
export async function retryDeliveryNow(
  deps: AppDeps,
  appId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  const endpoint = await requireWebhookEndpoint(deps, appId, endpointId);
  const delivery = await findWebhookDelivery(deps.db, appId, endpointId, deliveryId);
  if (!delivery) throw notFound('Webhook delivery');
  const now = deps.clock.now();
  const keepsSchedule = delivery.status === 'pending' && endpoint.status !== 'disabled';
  const claimed = await deps.db
    .updateTable('webhook_deliveries')
    .set({
      status: 'delivering',
      manual: keepsSchedule ? 0 : 1,
      lease_owner: deps.publishing.owner,
      lease_until: new Date(now.getTime() + deps.config.publishing.leaseMs).toISOString(),
      updated_at: now.toISOString(),
    })
    .where('id', '=', deliveryId)
    .where('app_id', '=', appId)
    .where('status', '=', delivery.status)
    .where('status', '!=', 'delivering')
    .returning('id')
    .executeTakeFirst();
  if (!claimed) {
    throw new ApiError('conflict', 'An attempt of this delivery is in flight; wait for its outcome');
  }
  return attemptNow(deps, appId, endpointId, deliveryId);
}
