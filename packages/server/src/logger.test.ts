import { spawn } from 'node:child_process';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
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

  it('writes a lone line to standard output within the idle period, while the process lives on', async () => {
    // A real process, its standard output a pipe: the line is far under the 4 KB the destination
    // waits for, and only the periodic flush writes it out.
    const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
    const script = `
      import { createLoggers } from ${JSON.stringify(logger)};
      createLoggers('info').logger.info({ deliveryId: 'd1' }, 'published');
      setTimeout(() => {}, 5000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = Date.now();
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) resolve(text);
        });
        child.once('exit', () => reject(new Error(`exited first; wrote ${JSON.stringify(text)}`)));
      });
      expect(JSON.parse(line)).toMatchObject({ level: 30, deliveryId: 'd1', msg: 'published' });
      // Well before the process ends (5 s): the line did not wait for exit to be written.
      expect(child.exitCode).toBeNull();
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      child.kill();
    }
  });
});
