/*
 * Reading media bytes for the adapters that upload them (LinkedIn, X, YouTube), and naming a media
 * URL in messages without its query string (presigned URLs carry credentials there).
 */

const EMPTY = new Uint8Array(0);

/**
 * Reads a media stream front to back in pieces of a chosen size. It holds at most the piece being
 * filled plus one piece of the underlying stream, so a file of any size goes out in bounded memory.
 */
export class MediaByteReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private leftover: Uint8Array = EMPTY;
  private ended = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next `length` bytes, fewer only when the stream ends first. */
  async read(length: number): Promise<Uint8Array<ArrayBuffer>> {
    const parts: Uint8Array[] = [];
    let filled = 0;
    while (filled < length && (await this.fill())) {
      const taken = Math.min(this.leftover.byteLength, length - filled);
      parts.push(this.leftover.subarray(0, taken));
      this.leftover = this.leftover.subarray(taken);
      filled += taken;
    }
    const piece = new Uint8Array(filled);
    let at = 0;
    for (const part of parts) {
      piece.set(part, at);
      at += part.byteLength;
    }
    return piece;
  }

  /** Discards up to `length` bytes without keeping them; how many it discarded. */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length && (await this.fill())) {
      const taken = Math.min(this.leftover.byteLength, length - skipped);
      this.leftover = this.leftover.subarray(taken);
      skipped += taken;
    }
    return skipped;
  }

  /** Whether any byte is left. */
  hasMore(): Promise<boolean> {
    return this.fill();
  }

  /** Releases the stream: the rest of the download is not needed. */
  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private async fill(): Promise<boolean> {
    while (this.leftover.byteLength === 0) {
      if (this.ended) return false;
      const next = await this.reader.read();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.leftover = next.value;
    }
    return true;
  }
}

/** The URL without its query and fragment, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the media URL';
  }
}
