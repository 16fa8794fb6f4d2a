import type { Context } from 'koa';

const MAX_FORM_BYTES = 4096;

/** The first value of a query parameter (Koa gives an array when it is repeated). */
export const firstQueryValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

/** Reads a small urlencoded form body from a hosted page; anything past 4 KB is ignored. */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_FORM_BYTES) break;
  }
  return new URLSearchParams(text.slice(0, MAX_FORM_BYTES));
}
