import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../net/private-network.js';
import { MediaError } from '../providers/publishing.js';
import { MediaFetcher } from './media.js';

/*
 * The media fetcher against a real local HTTP server (no mocks: the guard works on real sockets).
 * The server is on loopback, so "allowed" fetchers opt in to private addresses the way sandbox
 * apps and MYPOSTSHARE_ALLOW_PRIVATE_NETWORK do, and "strict" fetchers show the refusal.
 */

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('MediaFetcher', () => {
  let server: http.Server;
  let base: string;
  let port: number;
  const strict = new MediaFetcher({ maxBytes: 1000, timeoutMs: 500, allowPrivateNetwork: false });
  const allowed = new MediaFetcher({ maxBytes: 1000, timeoutMs: 500, allowPrivateNetwork: true });

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const path = request.url ?? '/';
      if (path === '/photo.jpg') {
        response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': '3' });
        response.end('abc');
      } else if (path === '/octet/clip.mp4') {
        response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        response.end('v');
      } else if (path === '/declared-big.jpg') {
        response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': '5000' });
        response.end(Buffer.alloc(5000));
      } else if (path === '/streamed-big.jpg') {
        // No Content-Length: the limit must hold while streaming.
        response.writeHead(200, { 'Content-Type': 'image/jpeg' });
        for (let index = 0; index < 10; index += 1) response.write(Buffer.alloc(200));
        response.end();
      } else if (path === '/page.html') {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<p>hi</p>');
      } else if (path === '/to-photo') {
        response.writeHead(302, { Location: '/photo.jpg' });
        response.end();
      } else if (path === '/loop') {
        response.writeHead(302, { Location: '/loop' });
        response.end();
      } else if (path === '/slow') {
        // Headers never come: without its own timeout the fetch would hang past the test's.
        return;
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await strict.close();
    await allowed.close();
  });

  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MediaError);
    return (error as Error).message;
  };
  const readAll = async (stream: ReadableStream<Uint8Array>) =>
    Buffer.from(await new Response(stream).arrayBuffer());

  it('probes type, kind and size, and opens the bytes', async () => {
    const item = await allowed.probe(`${base}/photo.jpg`);
    expect(item).toMatchObject({ kind: 'image', contentType: 'image/jpeg', size: 3 });
    const opened = await item.open();
    expect((await readAll(opened.body)).toString()).toBe('abc');
  });

  it('takes the type from the extension when the server says octet-stream', async () => {
    const item = await allowed.probe(`${base}/octet/clip.mp4`);
    expect(item).toMatchObject({ kind: 'video', contentType: 'video/mp4' });
  });

  it('refuses a loopback IP literal without the opt-in', async () => {
    expect(await failure(strict.probe(`${base}/photo.jpg`))).toContain('private network');
  });

  it('refuses a host name that resolves to loopback (checked at connect time)', async () => {
    expect(await failure(strict.probe(`http://localhost:${port}/photo.jpg`))).toContain('private network');
  });

  it('refuses IPv6 loopback and mapped addresses, and the metadata address', async () => {
    expect(await failure(strict.probe(`http://[::1]:${port}/photo.jpg`))).toContain('private network');
    expect(await failure(strict.probe(`http://[::ffff:127.0.0.1]:${port}/x.jpg`))).toContain(
      'private network',
    );
    expect(await failure(strict.probe('http://169.254.169.254/latest/meta-data/'))).toContain(
      'private network',
    );
  });

  it('checks every redirect hop, and stops redirect loops', async () => {
    expect((await allowed.probe(`${base}/to-photo`)).contentType).toBe('image/jpeg');
    expect(await failure(allowed.probe(`${base}/loop`))).toContain('redirects too many times');
  });

  it('refuses a declared size over the limit before reading it', async () => {
    expect(await failure(allowed.open(`${base}/declared-big.jpg`))).toContain('larger than 1000 bytes');
  });

  it('cuts a body that streams past the limit', async () => {
    const opened = await allowed.open(`${base}/streamed-big.jpg`);
    const error = await readAll(opened.body).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MediaError);
  });

  it('refuses what is neither an image nor a video, non-2xx answers, and other schemes', async () => {
    expect(await failure(allowed.probe(`${base}/page.html`))).toContain('text/html');
    expect(await failure(allowed.probe(`${base}/missing.jpg?token=secret`))).not.toContain('secret');
    expect(await failure(allowed.probe('ftp://example.com/a.jpg'))).toContain('http or https');
    expect(await failure(allowed.probe('http://user:pass@example.com/a.jpg'))).toContain('user name');
  });

  it('gives up on a server that never answers', async () => {
    expect(await failure(allowed.probe(`${base}/slow`))).toContain('could not fetch');
  });
});
