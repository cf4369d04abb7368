import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** Bearer token and CORS policy of the API. */

/** Whether `host` only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares in constant time; hashing first makes the lengths equal without revealing them. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Requires `Authorization: Bearer <token>` on every request when a token is configured. Runs after
 * CORS, so a browser's preflight (which never carries credentials) is answered first.
 */
export function bearerAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match !== null && tokenMatches(match[1]!, token)) return next();
    const invalid = match !== null ? ', error="invalid_token"' : '';
    c.header('WWW-Authenticate', `Bearer realm="headway"${invalid}`);
    return c.json(
      {
        error: 'unauthorized',
        message: 'a valid Authorization: Bearer <token> header is required',
      },
      401,
    );
  };
}

export interface CorsPolicy {
  /** `*` for any origin, a list to echo, or null for no CORS headers at all. */
  readonly allow: '*' | ReadonlySet<string> | null;
}

/**
 * The CORS policy: listed origins are echoed, `*` in the list allows any, and with none listed no
 * page may read the API from a browser at all — not even on loopback, where every web page the
 * operator opens could otherwise read log samples and host names from it.
 */
export function corsPolicy(_host: string, origins: readonly string[]): CorsPolicy {
  const normalized = origins.map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o !== '');
  if (normalized.includes('*')) return { allow: '*' };
  if (normalized.length > 0) return { allow: new Set(normalized) };
  return { allow: null };
}

/** The name part of a Host header (`h:8081`, `[::1]:8081`), lower case, without the port. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 || h.indexOf(':') !== colon ? h : h.slice(0, colon);
}

/**
 * Whether a request's Host names this copilot. DNS rebinding points an attacker's domain at the
 * copilot's address, so the browser sends that domain as Host: only IP literals, loopback names,
 * the bind address and the configured names (`copilot.api.allowed_hosts`) are answered.
 */
export function hostAllowed(header: string, bindHost: string, allowed: readonly string[]): boolean {
  const name = hostName(header);
  if (name === '') return false;
  if (isIP(name) !== 0 || isLoopbackHost(name)) return true;
  if (name === bindHost.trim().toLowerCase()) return true;
  return allowed.some((a) => a.trim().toLowerCase() === name);
}

export function hostGuard(bindHost: string, allowed: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    // A served request always has the header; an in-process `app.request` has only its URL.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (hostAllowed(host, bindHost, allowed)) return next();
    return c.json(
      {
        error: 'host_not_allowed',
        message:
          'this Host is not a name of this copilot; add it to copilot.api.allowed_hosts (HEADWAY_API_ALLOWED_HOSTS)',
      },
      403,
    );
  };
}

export function corsMiddleware(policy: CorsPolicy): MiddlewareHandler {
  const { allow } = policy;
  return cors({
    origin: (origin) => {
      if (allow === '*') return '*';
      if (allow === null || origin === '') return null;
      return allow.has(origin) ? origin : null;
    },
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}
