import type { Agent } from 'undici';
import { guardedAgent, isPrivateUrlHost } from '../net/private-network.js';
import { describeUrl } from '../providers/media-stream.js';
import { MediaError, type MediaItem, type MediaKind, type OpenedMedia } from '../providers/publishing.js';

/*
 * Fetching the customer's media files (`mediaUrl`, `mediaUrls`, `thumbnailUrl`). The URLs come
 * from API callers, so the fetch is a server-side request on their behalf: it must not reach this
 * machine's loopback, the private network or cloud metadata services (SSRF), must not read an
 * unbounded body, and must not hang. The address check (net/private-network.ts) runs on the address
 * actually connected to, and every redirect hop is checked again.
 */

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  m4v: 'video/x-m4v',
  webm: 'video/webm',
};

export interface MediaFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Lets media URLs reach loopback and private addresses (sandbox apps, MYPOSTSHARE_ALLOW_PRIVATE_NETWORK). */
  allowPrivateNetwork: boolean;
}

const MAX_REDIRECTS = 5;

/** Fetches media files with the SSRF guard, a size limit and timeouts. One per configuration. */
export class MediaFetcher {
  private readonly agent: Agent;

  constructor(private readonly options: MediaFetcherOptions) {
    this.agent = guardedAgent({
      allowPrivateNetwork: options.allowPrivateNetwork,
      connectTimeoutMs: options.timeoutMs,
      headersTimeoutMs: options.timeoutMs,
      // The longest silence between two chunks, not the whole transfer: videos may be large.
      bodyTimeoutMs: options.timeoutMs,
    });
  }

  /** Opens the file: checks every redirect hop, the status, the announced size and the type. */
  async open(url: string): Promise<OpenedMedia> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const target = this.checkTarget(current);
      let response: Response;
      try {
        response = await fetch(target, {
          redirect: 'manual',
          // undici's dispatcher option is not in the DOM RequestInit type.
          ...({ dispatcher: this.agent } as object),
          signal: AbortSignal.timeout(this.options.timeoutMs * 4),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code === 'EPRIVATEADDRESS') {
          throw new MediaError(undefined, `${describeUrl(url)} points to a private network address`);
        }
        throw new MediaError(undefined, `could not fetch ${describeUrl(url)}`);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        current = new URL(response.headers.get('location')!, target).toString();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new MediaError(undefined, `${describeUrl(url)} answered HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      const size = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
      if (size !== undefined && size > this.options.maxBytes) {
        await response.body?.cancel();
        throw new MediaError(undefined, `${describeUrl(url)} is larger than ${this.options.maxBytes} bytes`);
      }
      const contentType = mediaType(response.headers.get('content-type'), target.pathname);
      if (!response.body) throw new MediaError(undefined, `${describeUrl(url)} has no body`);
      return { contentType, size, body: limitBytes(response.body, this.options.maxBytes, url) };
    }
    throw new MediaError(undefined, `${describeUrl(url)} redirects too many times`);
  }

  /** Opens the file only to learn its type and size, then hangs up. */
  async probe(url: string): Promise<MediaItem> {
    const opened = await this.open(url);
    await opened.body.cancel().catch(() => undefined);
    const kind = kindOf(opened.contentType);
    if (!kind) {
      throw new MediaError(
        undefined,
        `${describeUrl(url)} is ${opened.contentType || 'of an unknown type'}, not an image or a video`,
      );
    }
    return {
      url,
      kind,
      contentType: opened.contentType,
      size: opened.size,
      open: () => this.open(url),
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private checkTarget(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MediaError(undefined, 'the media URL is not a valid URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new MediaError(undefined, 'media URLs must be http or https');
    }
    if (parsed.username || parsed.password) {
      throw new MediaError(undefined, 'media URLs may not carry a user name or password');
    }
    // An IP literal never goes through the lookup hook: judge it here.
    if (!this.options.allowPrivateNetwork && isPrivateUrlHost(parsed)) {
      throw new MediaError(undefined, `${describeUrl(url)} points to a private network address`);
    }
    return parsed;
  }
}

/** The media type from the header, or from the file extension when the header says nothing useful. */
function mediaType(header: string | null, pathname: string): string {
  const declared = header?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && declared !== 'binary/octet-stream') {
    return declared;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  return (extension && EXTENSION_TYPES[extension]) ?? declared ?? '';
}

export function kindOf(contentType: string): MediaKind | undefined {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  return undefined;
}

/** Passes the stream through, failing it once more than `maxBytes` have gone by. */
function limitBytes(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  url: string,
): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          controller.error(new MediaError(undefined, `${describeUrl(url)} is larger than ${maxBytes} bytes`));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}
