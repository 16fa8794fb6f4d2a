import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Marks a string as already-safe HTML, so templates can nest without double escaping. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

/** Tagged template that escapes every interpolation unless it is SafeHtml (or an array of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    const render = (item: unknown): string =>
      item instanceof SafeHtml
        ? item.value
        : Array.isArray(item)
          ? item.map(render).join('')
          : item === undefined || item === null || item === false
            ? ''
            : escapeHtml(String(item));
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

const STYLE = `
:root { color-scheme: light dark; --fg: #16181d; --muted: #5b6270; --bg: #f5f6f8; --card: #fff; --line: #dfe2e8; --accent: #2457d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #eef0f4; --muted: #a6adbb; --bg: #111318; --card: #1a1d24; --line: #2c313b; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 24px 16px;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { width: 100%; max-width: 420px; background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 28px 24px; }
h1 { font-size: 1.35rem; line-height: 1.3; margin: 0 0 8px; }
p { margin: 0 0 16px; color: var(--muted); }
.app { font-size: .85rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin-bottom: 16px; }
button, .button { display: block; width: 100%; padding: 12px 16px; border: 0; border-radius: 10px; font: inherit; font-weight: 600;
  color: #fff; background: var(--accent); cursor: pointer; text-align: center; text-decoration: none; }
button.secondary { background: transparent; color: var(--fg); border: 1px solid var(--line); margin-top: 10px; }
button:focus-visible, .button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
fieldset { border: 0; padding: 0; margin: 0 0 20px; }
legend { font-weight: 600; margin-bottom: 8px; }
label { display: flex; gap: 10px; align-items: center; padding: 10px 12px; border: 1px solid var(--line); border-radius: 10px; margin-bottom: 8px; cursor: pointer; }
.small { font-size: .85rem; margin-top: 16px; margin-bottom: 0; }
.post-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.status { font-size: 2rem; margin-bottom: 8px; }
`;

export interface PageOptions {
  title: string;
  body: SafeHtml;
  accentColor?: string;
}

/**
 * Sends a hosted page with the headers every /connect and callback page carries: a strict CSP
 * (no scripts at all, inline styles only by nonce, nothing from third parties), no referrer, no
 * caching, no framing.
 */
export function sendPage(ctx: Context, status: number, options: PageOptions): void {
  const nonce = randomBytes(16).toString('base64');
  ctx.set(
    'Content-Security-Policy',
    // No form-action: Chrome applies it to every redirect after a form POST, and our forms lead
    // through the provider (and its other hosts) back to the customer's own origin. The pages
    // carry no script and no user-controlled markup, so there is no injected form to contain.
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; ` +
      "frame-ancestors 'none'; base-uri 'none'",
  );
  setHostedPageHeaders(ctx);
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  const accent = options.accentColor ? `:root { --accent: ${options.accentColor}; }` : '';
  ctx.body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title}</title>
<style nonce="${nonce}">${new SafeHtml(STYLE + accent)}</style>
</head>
<body>
<main>
${options.body}
</main>
</body>
</html>`.value;
}

/** Headers for every hosted response, redirects included. */
export function setHostedPageHeaders(ctx: Context): void {
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
}

/** A page that says something went wrong and what to do, never showing a code, state or token. */
export function sendMessagePage(
  ctx: Context,
  status: number,
  message: { title: string; text: string; icon?: string },
): void {
  sendPage(ctx, status, {
    title: message.title,
    body: html`<div class="status" aria-hidden="true">${message.icon ?? '⚠️'}</div>
<h1>${message.title}</h1>
<p>${message.text}</p>`,
  });
}
