import { parseArgs } from 'node:util';
import { MyPostShare, type Platform } from '@mypostshare/sdk';
import { scheduleAndPoll } from './schedule-and-poll.js';

// `npm start` in this folder: see README.md.
const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'demo_user' },
    platform: { type: 'string', multiple: true, default: ['linkedin'] },
    in: { type: 'string', default: '10' },
    content: {
      type: 'string',
      default: `Scheduled from the mypostshare example at ${new Date().toISOString()}`,
    },
  },
});

if (!process.env.MYPOSTSHARE_API_KEY) {
  console.error('Set MYPOSTSHARE_API_KEY to your sandbox key (the server prints it on first start).');
  process.exit(1);
}
// The SDK reads MYPOSTSHARE_API_KEY itself; the base URL defaults to a local server here.
const client = new MyPostShare({ baseUrl: process.env.MYPOSTSHARE_BASE_URL ?? 'http://localhost:8787/api' });

try {
  const post = await scheduleAndPoll({
    client,
    externalUserId: values.user,
    platforms: values.platform as Platform[],
    content: values.content,
    delaySeconds: Number(values.in),
    onConnectUrl: (url, platform) =>
      console.log(`Open this link to connect ${platform}, then come back: ${url}`),
    log: (line) => console.log(line),
  });
  process.exitCode = post.status === 'published' ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
