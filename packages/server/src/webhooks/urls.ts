import type dns from 'node:dns';
import net from 'node:net';
import { ApiError } from '../errors.js';
import { isPrivateAddress, isPrivateUrlHost } from '../net/private-network.js';

/*
 * Webhook URLs are chosen by API callers and fetched by this server: an SSRF vector. They must be
 * https (plain http only where the operator allows private networks, for local development) and
 * must not reach loopback, private, link-local or metadata addresses. Checked here at registration
 * (resolving the name) and again at every send (on the address actually connected to, see
 * net/private-network.ts), so a name that later resolves elsewhere is still refused.
 */

const RESOLVE_TIMEOUT_MS = 5000;

/** Why a URL may not be used, or undefined when it may (before any DNS lookup). */
export function webhookUrlProblem(url: URL, allowPrivateNetwork: boolean): string | undefined {
  if (url.protocol !== 'https:' && !(allowPrivateNetwork && url.protocol === 'http:')) {
    return allowPrivateNetwork ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (!allowPrivateNetwork && isPrivateUrlHost(url)) {
    return 'must not point to a loopback, private, link-local or metadata address';
  }
  return undefined;
}

function lookupAll(resolve: typeof dns.lookup, hostname: string): Promise<dns.LookupAddress[]> {
  return new Promise((fulfil, reject) => {
    const timer = setTimeout(() => reject(new Error('DNS lookup timed out')), RESOLVE_TIMEOUT_MS);
    resolve(hostname, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) reject(error);
      else fulfil(addresses as unknown as dns.LookupAddress[]);
    });
  });
}

/**
 * Validates a webhook URL for registration and returns it normalised (without a fragment). Throws
 * 400 `validation_error` naming `url` when it is not acceptable, including when its host resolves
 * (now) to a private address.
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivateNetwork: boolean; resolve: typeof dns.lookup },
): Promise<string> {
  const refuse = (message: string) =>
    new ApiError('validation_error', `Invalid request: url: ${message}`, [{ field: 'url', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute URL');
  }
  url.hash = '';
  const problem = webhookUrlProblem(url, options.allowPrivateNetwork);
  if (problem) throw refuse(problem);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateNetwork && net.isIP(host) === 0) {
    let addresses: dns.LookupAddress[];
    try {
      addresses = await lookupAll(options.resolve, host);
    } catch {
      throw refuse(`host ${host} could not be resolved`);
    }
    if (addresses.length === 0) throw refuse(`host ${host} could not be resolved`);
    if (addresses.some((entry) => isPrivateAddress(entry.address))) {
      throw refuse(`host ${host} resolves to a loopback, private, link-local or metadata address`);
    }
  }
  return url.toString();
}
