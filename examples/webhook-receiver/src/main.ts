import { parseArgs } from 'node:util';
import { APIError, MyPostShare } from '@mypostshare/sdk';
import { describeEvent, startReceiver } from './receiver.js';

// `npm start` in this folder: see README.md.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    register: { type: 'boolean', default: false },
  },
});

let secret = process.env.MYPOSTSHARE_WEBHOOK_SECRET ?? '';
if (values.register ? !process.env.MYPOSTSHARE_API_KEY : !secret) {
  console.error(
    values.register
      ? 'Set MYPOSTSHARE_API_KEY to your sandbox key (the server prints it on first start) to --register.'
      : "Set MYPOSTSHARE_WEBHOOK_SECRET to your endpoint's whsec_... secret, or pass --register (with MYPOSTSHARE_API_KEY).",
  );
  process.exit(1);
}

const receiver = await startReceiver({
  port: Number(values.port),
  // Read for each request: with --register, the secret only exists once the endpoint does.
  secret: () => secret,
  onEvent: (event) => console.log(`${event.createdAt} ${event.type} ${event.id} ${describeEvent(event)}`),
  onRejected: (status, reason) => console.error(`refused a request (${status}): ${reason}`),
});
console.log(`Receiving webhooks on ${receiver.url}`);

/** With --register: the endpoint this run registered, deleted when it stops. */
let registered: { client: MyPostShare; id: string } | undefined;
if (values.register) {
  // The SDK reads MYPOSTSHARE_API_KEY itself; the base URL defaults to a local server here.
  const client = new MyPostShare({
    baseUrl: process.env.MYPOSTSHARE_BASE_URL ?? 'http://localhost:8787/api',
  });
  try {
    const endpoint = await client.webhookEndpoints.create({
      url: receiver.url,
      description: 'examples/webhook-receiver (removed when it stops)',
    });
    secret = endpoint.secret;
    registered = { client, id: endpoint.id };
    console.log(`Registered endpoint ${endpoint.id} (removed on Ctrl-C); its secret: ${endpoint.secret}`);
    // The server sends it now, and answers once the receiver has answered.
    const delivery = await client.webhookEndpoints.test(endpoint.id);
    console.log(`Sent a test event: the receiver answered ${delivery.responseStatus}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof APIError && error.status === 400) {
      console.error('A local URL needs the server to run with MYPOSTSHARE_ALLOW_PRIVATE_NETWORK=true.');
    }
    await stop(1);
  }
}

async function stop(exitCode: number) {
  await receiver.close();
  if (registered) {
    try {
      await registered.client.webhookEndpoints.delete(registered.id);
      console.log(`Deleted endpoint ${registered.id}`);
    } catch (error) {
      console.error(
        `Could not delete endpoint ${registered.id}: ${error instanceof Error ? error.message : error}`,
      );
      exitCode = 1;
    }
  }
  process.exit(exitCode);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
