import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchPerTurn, type FlushableDestination } from './logger.js';

/** A destination keeping every chunk it is handed, as the bytes they are at the end. */
function recordingDestination() {
  const chunks: Buffer[] = [];
  const destination: FlushableDestination = {
    write: (chunk) => {
      chunks.push(chunk as unknown as Buffer);
    },
    flush: (callback) => callback?.(),
    flushSync: () => {},
  };
  return { destination, chunks };
}

describe('batchPerTurn', () => {
  it('hands on the lines of one turn as one chunk of their UTF-8 bytes', async () => {
    const { destination, chunks } = recordingDestination();
    const batched = batchPerTurn(destination);
    batched.write('{"msg":"one"}\n');
    batched.write('{"msg":"zoë 日本 😀"}\n');
    expect(chunks).toHaveLength(0);
    await nextTurn();
    expect(chunks).toHaveLength(1);
    expect(Buffer.isBuffer(chunks[0])).toBe(true);
    expect(chunks[0]!.toString('utf8')).toBe('{"msg":"one"}\n{"msg":"zoë 日本 😀"}\n');
    batched.write('{"msg":"two"}\n');
    await nextTurn();
    expect(chunks.map((chunk) => chunk.toString('utf8'))).toEqual([
      '{"msg":"one"}\n{"msg":"zoë 日本 😀"}\n',
      '{"msg":"two"}\n',
    ]);
  });

  it('never changes bytes already handed on, across blocks and lines larger than a block', async () => {
    const { destination, chunks } = recordingDestination();
    const batched = batchPerTurn(destination);
    const lines: string[] = [];
    for (let turn = 0; turn < 40; turn += 1) {
      for (let index = 0; index < 25; index += 1) {
        // Multi-byte text, so the bytes outgrow the characters.
        const line = `{"turn":${turn},"index":${index},"text":"${'é€'.repeat(20 + ((turn * 7 + index) % 90))}"}\n`;
        lines.push(line);
        batched.write(line);
      }
      await nextTurn();
    }
    const huge = `{"text":"${'x'.repeat(200_000)}"}\n`;
    lines.push(huge);
    batched.write(huge);
    batched.write('{"after":"huge"}\n');
    lines.push('{"after":"huge"}\n');
    await nextTurn();
    // What each chunk held when handed on is what it holds now that later lines have been written.
    const joined = Buffer.concat(chunks).toString('utf8');
    expect(joined).toBe(lines.join(''));
    expect(chunks.length).toBeGreaterThan(40);
  });

  it('writes out what the turn holds when flushed', () => {
    const { destination, chunks } = recordingDestination();
    const batched = batchPerTurn(destination);
    batched.write('{"msg":"before exit"}\n');
    batched.flushSync();
    expect(chunks.map((chunk) => chunk.toString('utf8'))).toEqual(['{"msg":"before exit"}\n']);
  });
});
