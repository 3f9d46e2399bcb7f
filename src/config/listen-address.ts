/**
 * Listen addresses: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80", "localhost:8080", or a bare port "8080"
 * (all interfaces). Port 0–65535 (0 = any free port, reported at startup; useful in tests).
 */
import { isIP } from 'node:net';

export interface ListenAddress {
  /** Host to bind; "0.0.0.0"/"::" for all interfaces. */
  readonly host: string;
  readonly port: number;
  /** Canonical "host:port" / "[v6]:port" form, used as the socket's identity across reloads. */
  readonly key: string;
}

const HOSTNAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

export function parseListenAddress(text: string): ListenAddress | string {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(trimmed)) {
    host = '0.0.0.0';
    portText = trimmed;
  } else if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    if (end < 0 || trimmed[end + 1] !== ':') return `invalid listen address "${text}": expected "[ipv6]:port"`;
    host = trimmed.slice(1, end);
    portText = trimmed.slice(end + 2);
    if (isIP(host) !== 6) return `invalid listen address "${text}": "${host}" is not an IPv6 address`;
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon < 0) return `invalid listen address "${text}": expected "host:port"`;
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (isIP(host) === 0 && !HOSTNAME_RE.test(host)) return `invalid listen address "${text}": bad host "${host}"`;
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    return `invalid listen address "${text}": port must be 0-65535`;
  }
  const key = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, key };
}
