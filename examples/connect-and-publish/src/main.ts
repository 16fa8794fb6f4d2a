import { startExample } from './app.js';

// `npm start` in this folder: see README.md. Everything comes from the environment.
const apiKey = process.env.MYPOSTSHARE_API_KEY;
if (!apiKey) {
  console.error('Set MYPOSTSHARE_API_KEY to your sandbox key (the server prints it on first start).');
  process.exit(1);
}
const baseUrl = process.env.MYPOSTSHARE_BASE_URL ?? 'http://localhost:8787/api';
const app = await startExample({
  apiKey,
  baseUrl,
  port: Number(process.env.PORT ?? 3000),
  adminToken: process.env.MYPOSTSHARE_ADMIN_TOKEN,
  serverUrl: process.env.MYPOSTSHARE_SERVER_URL ?? new URL(baseUrl).origin,
});
console.log(`Example app on ${app.url} (callback ${app.redirectUri})`);
if (!process.env.MYPOSTSHARE_ADMIN_TOKEN) {
  console.log('No MYPOSTSHARE_ADMIN_TOKEN: make sure the callback above is on the app allowlist.');
}
process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
