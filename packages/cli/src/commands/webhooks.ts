import type {
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  PagePromise,
  PaginationQuery,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '@mypostshare/sdk';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { columns, table } from '../output.js';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../platforms.js';
import { formatTime } from '../time.js';
import { collect, integer, type ListFlags, listOptions, oneOf, pageQuery, repeatable } from './common.js';

/** The endpoint operations, through the public API (API key) or the admin API (admin token + app). */
export interface WebhookApi {
  via: 'API key' | 'admin token';
  create(params: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret>;
  list(params: PaginationQuery): PagePromise<WebhookEndpoint>;
  retrieve(id: string): Promise<WebhookEndpoint>;
  delete(id: string): Promise<void>;
  rotateSecret(id: string): Promise<WebhookEndpointWithSecret>;
  test(id: string): Promise<WebhookDelivery>;
  listDeliveries(id: string, params: ListWebhookDeliveriesQuery): PagePromise<WebhookDelivery>;
  retryDelivery(id: string, deliveryId: string): Promise<WebhookDelivery>;
}

/**
 * The API to manage endpoints with: an app named with `--app`/`MYPOSTSHARE_APP_ID` goes through the
 * admin API; otherwise the API key's app, else the admin token with the profile's app.
 */
export async function webhookApi(ctx: Context): Promise<WebhookApi> {
  const settings = await ctx.settings();
  const explicitApp = settings.app?.source === '--app' || settings.app?.source === 'MYPOSTSHARE_APP_ID';
  if (settings.apiKey && !(explicitApp && settings.adminToken)) {
    const { webhookEndpoints } = await ctx.client();
    return {
      via: 'API key',
      create: (params) => webhookEndpoints.create(params),
      list: (params) => webhookEndpoints.list(params),
      retrieve: (id) => webhookEndpoints.retrieve(id),
      delete: (id) => webhookEndpoints.delete(id),
      rotateSecret: (id) => webhookEndpoints.rotateSecret(id),
      test: (id) => webhookEndpoints.test(id),
      listDeliveries: (id, params) => webhookEndpoints.listDeliveries(id, params),
      retryDelivery: (id, deliveryId) => webhookEndpoints.retryDelivery(id, deliveryId),
    };
  }
  const admin = await ctx.admin();
  const appId = await ctx.appId();
  const endpoints = admin.webhookEndpoints;
  return {
    via: 'admin token',
    create: (params) => endpoints.create(appId, params),
    list: (params) => endpoints.list(appId, params),
    retrieve: (id) => endpoints.retrieve(appId, id),
    delete: (id) => endpoints.delete(appId, id),
    rotateSecret: (id) => endpoints.rotateSecret(appId, id),
    test: (id) => endpoints.test(appId, id),
    listDeliveries: (id, params) => endpoints.listDeliveries(appId, id, params),
    retryDelivery: (id, deliveryId) => endpoints.retryDelivery(appId, id, deliveryId),
  };
}

const endpointTable = (endpoint: WebhookEndpoint | WebhookEndpointWithSecret) =>
  table([
    ['id', endpoint.id],
    ['url', endpoint.url],
    ['events', endpoint.events?.join(', ') ?? 'all'],
    ['status', endpoint.status],
    ...(endpoint.description ? ([['description', endpoint.description]] as const) : []),
    ...(endpoint.previousSecretExpiresAt
      ? ([['old secret until', formatTime(endpoint.previousSecretExpiresAt)]] as const)
      : []),
    ...('secret' in endpoint ? ([['secret', endpoint.secret]] as const) : []),
  ]);

const deliveryTable = (delivery: WebhookDelivery) =>
  table([
    ['id', delivery.id],
    ['event', `${delivery.eventType} (${delivery.eventId})`],
    ['status', delivery.status],
    ['attempts', String(delivery.attempts)],
    [
      'response',
      delivery.responseStatus === null ? '-' : `${delivery.responseStatus} in ${delivery.durationMs} ms`,
    ],
    ...(delivery.error ? ([['error', delivery.error]] as const) : []),
    ...(delivery.nextAttemptAt ? ([['next attempt', formatTime(delivery.nextAttemptAt)]] as const) : []),
  ]);

const eventType = oneOf('--event', WEBHOOK_EVENT_TYPES);
const events = (values: string[] | undefined) => (values?.length ? values.map(eventType) : undefined);

/**
 * `mypostshare webhooks ...`: webhook endpoints, their deliveries, and a local listener.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineWebhooks(webhooks: Command): void {
  webhooks
    .command('create')
    .argument('<url>', 'https URL that receives the events')
    .option(
      '--event <type>',
      `an event type to receive; repeat for several (default: all): ${WEBHOOK_EVENT_TYPES.join(', ')}`,
      repeatable,
    )
    .option('--description <text>', 'a note for your own reference')
    .description('register an endpoint; its signing secret is shown once')
    .action(
      action(async (ctx, url: string) => {
        const flags = ctx.opts<{ event?: string[]; description?: string }>();
        const api = await webhookApi(ctx);
        const selected = events(flags.event);
        const endpoint = await api.create({
          url,
          ...(selected ? { events: selected } : {}),
          ...(flags.description === undefined ? {} : { description: flags.description }),
        });
        ctx.print(endpoint, endpointTable);
        ctx.hint('The secret is shown this once: store it where your receiver reads it.');
      }),
    );

  listOptions(webhooks.command('list').description('list the endpoints')).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListFlags>();
      const api = await webhookApi(ctx);
      const items = await collect(ctx, api.list(pageQuery(flags)), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['ID', (endpoint) => endpoint.id],
            ['URL', (endpoint) => endpoint.url],
            ['EVENTS', (endpoint) => endpoint.events?.join(',') ?? 'all'],
            ['STATUS', (endpoint) => endpoint.status],
          ],
          'No webhook endpoints: `mypostshare webhooks create <url>` registers one.',
        ),
      );
    }),
  );

  webhooks
    .command('get')
    .argument('<id>', 'endpoint id')
    .description('show an endpoint')
    .action(
      action(async (ctx, id: string) => {
        const api = await webhookApi(ctx);
        ctx.print(await api.retrieve(id), endpointTable);
      }),
    );

  webhooks
    .command('delete')
    .argument('<id>', 'endpoint id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete an endpoint; nothing more is sent to it')
    .action(
      action(async (ctx, id: string) => {
        const api = await webhookApi(ctx);
        await ctx.confirm(`Delete webhook endpoint ${id}?`, ctx.opts<{ yes?: boolean }>().yes);
        await api.delete(id);
        ctx.print({ id, deleted: true }, (data) => `Deleted endpoint ${data.id}.`);
      }),
    );

  webhooks
    .command('rotate')
    .argument('<id>', 'endpoint id')
    .description('issue a new signing secret (shown once); the old one keeps signing for 24 hours')
    .action(
      action(async (ctx, id: string) => {
        const api = await webhookApi(ctx);
        ctx.print(await api.rotateSecret(id), endpointTable);
      }),
    );

  webhooks
    .command('test')
    .argument('<id>', 'endpoint id')
    .description('send a `webhook.test` event now and show the attempt')
    .action(
      action(async (ctx, id: string) => {
        const api = await webhookApi(ctx);
        ctx.print(await api.test(id), deliveryTable);
      }),
    );

  listOptions(
    webhooks
      .command('deliveries')
      .argument('<id>', 'endpoint id')
      .option(
        '--status <status>',
        `only with this status (${WEBHOOK_DELIVERY_STATUSES.join(', ')})`,
        oneOf('--status', WEBHOOK_DELIVERY_STATUSES),
      )
      .description("list an endpoint's deliveries, newest first"),
  ).action(
    action(async (ctx, id: string) => {
      const flags = ctx.opts<ListFlags & { status?: (typeof WEBHOOK_DELIVERY_STATUSES)[number] }>();
      const api = await webhookApi(ctx);
      const query = { ...pageQuery(flags), ...(flags.status ? { status: flags.status } : {}) };
      const items = await collect(ctx, api.listDeliveries(id, query), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['ID', (delivery) => delivery.id],
            ['EVENT', (delivery) => delivery.eventType],
            ['STATUS', (delivery) => delivery.status],
            ['ATTEMPTS', (delivery) => String(delivery.attempts)],
            [
              'RESPONSE',
              (delivery) => (delivery.responseStatus === null ? '-' : String(delivery.responseStatus)),
            ],
            ['WHEN', (delivery) => formatTime(delivery.lastAttemptAt ?? delivery.createdAt)],
          ],
          'No deliveries yet.',
        ),
      );
    }),
  );

  webhooks
    .command('retry')
    .argument('<id>', 'endpoint id')
    .argument('<deliveryId>', 'delivery id (from `webhooks deliveries`)')
    .description('attempt a delivery again now')
    .action(
      action(async (ctx, id: string, deliveryId: string) => {
        const api = await webhookApi(ctx);
        ctx.print(await api.retryDelivery(id, deliveryId), deliveryTable);
      }),
    );

  webhooks
    .command('listen')
    .option('--port <n>', 'local port to listen on (default: any free port)', integer('--port', 0, 65535))
    .option('--host <host>', 'local address to listen on (default 127.0.0.1)')
    .option(
      '--url <url>',
      'the URL the server should send to (e.g. a tunnel to this port); default: the local one',
    )
    .option('--event <type>', 'an event type to receive; repeat for several (default: all)', repeatable)
    .option('--forward-to <url>', 'also pass each verified delivery on to this URL (e.g. your app)')
    .option(
      '--secret-stdin',
      'verify with the secret piped on stdin, for an endpoint you registered yourself',
    )
    .description('print verified events arriving at a local port (registers a temporary endpoint)')
    .addHelpText(
      'after',
      `
By default, listen registers a temporary endpoint pointing at this port, verifies each delivery
with its secret, prints the event, and deletes the endpoint when you stop it (Ctrl-C). The server
only sends to http://127.0.0.1 when it runs with MYPOSTSHARE_ALLOW_PRIVATE_NETWORK=true (local
development); otherwise expose the port with a tunnel and pass --url https://....

With --json, each event is printed as one line of JSON.`,
    )
    .action(
      action(async (ctx) => {
        const { listen } = await import('../listen.js');
        const flags = ctx.opts<{
          port?: number;
          host?: string;
          url?: string;
          event?: string[];
          forwardTo?: string;
          secretStdin?: boolean;
        }>();
        await listen(ctx, { ...flags, events: events(flags.event) });
      }),
    );
}
