import dns from 'node:dns';
import net, { BlockList } from 'node:net';
import { Agent } from 'undici';

/*
 * Outbound requests to URLs our callers chose (media files, webhook endpoints) must not reach this
 * machine's loopback, the private network or cloud metadata services (SSRF). The check runs in the
 * socket's DNS lookup, on the address actually connected to, so a name that resolves differently on
 * a second lookup (DNS rebinding) cannot slip through; IP literals, which skip the lookup, are
 * checked by `isPrivateUrlHost`.
 */

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local, metadata, multicast or reserved. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) reaches the IPv4 address: judge that one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

/** A DNS lookup (over `resolve`) that refuses names resolving to a private address. */
export const guardedLookup = (resolve: typeof dns.lookup = dns.lookup): typeof dns.lookup =>
  ((
    hostname: string,
    options: dns.LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => void,
  ) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, undefined);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find((entry) => isPrivateAddress(entry.address));
      if (refused || list.length === 0) {
        const denied: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address`);
        denied.code = 'EPRIVATEADDRESS';
        return callback(denied, undefined);
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  }) as typeof dns.lookup;

/** Whether a URL's host is an IP literal on a private network (literals never reach the lookup hook). */
export function isPrivateUrlHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return net.isIP(host) !== 0 && isPrivateAddress(host);
}

export interface GuardedAgentOptions {
  allowPrivateNetwork: boolean;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** The resolver behind the guard (tests pass a stub). */
  resolve?: typeof dns.lookup;
}

/** An undici dispatcher for `fetch` whose connections refuse private addresses unless allowed. */
export function guardedAgent(options: GuardedAgentOptions): Agent {
  return new Agent({
    connect: {
      timeout: options.connectTimeoutMs,
      ...(options.allowPrivateNetwork ? {} : { lookup: guardedLookup(options.resolve) }),
    },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
}
