import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Reads a client's address as fastify gives it for an HTTP request (the same TRUSTED_PROXIES
 * setting): X-Forwarded-For only from a trusted proxy.
 */
export function clientAddressReader(trustedProxies: string[]): (request: IncomingMessage) => string {
  const trusted = proxyAddr.compile(trustedProxies);
  return (request) => proxyAddr(request, trusted);
}

/**
 * Open sockets per user and per client address on this instance. Counted in memory: a socket
 * lives in one process, the count is exact and needs no Redis (nor expiry for crashed peers).
 * nginx sends a client's sockets to one instance (ip_hash), so the per-address cap holds
 * overall; a user on several addresses may hold the per-user cap on each instance it reaches.
 */
export class ConnectionLimits {
  private readonly perUser = new Map<string, number>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly maxPerUser: number,
    private readonly maxPerAddress: number,
  ) {}

  /**
   * Takes a place for a new socket; undefined when the user or the address is at its cap.
   * The answer releases the place; calling it more than once releases it once.
   */
  acquire(userId: string, address: string): (() => void) | undefined {
    if ((this.perUser.get(userId) ?? 0) >= this.maxPerUser) return undefined;
    if ((this.perAddress.get(address) ?? 0) >= this.maxPerAddress) return undefined;
    add(this.perUser, userId, 1);
    add(this.perAddress, address, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      add(this.perUser, userId, -1);
      add(this.perAddress, address, -1);
    };
  }
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
