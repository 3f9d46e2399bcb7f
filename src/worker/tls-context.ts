/**
 * TLS certificates and SNI selection. Certificates are read and turned into SecureContexts once per
 * config. A server offers the certificates named in `tls.certificates` (default: all); for a client's
 * SNI name the choice is: exact domain, then a wildcard ("*.example.com" covers one label), then the
 * certificate marked `default`, else the server's first certificate. Clients without SNI get the
 * default one too (it is the server's top-level key/cert).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { CertificateConfig } from '../config/schema.ts';

export interface LoadedCertificate {
  readonly name: string;
  /** Lower-case SNI names ("api.example.com", "*.example.com"). */
  readonly domains: readonly string[];
  readonly isDefault: boolean;
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly context: SecureContext;
}

export interface SniSelector {
  /** Served to clients without SNI and when nothing else matches. */
  readonly fallback: LoadedCertificate;
  /** The certificate for an SNI name (any case, trailing dot allowed). */
  select(servername: string): LoadedCertificate;
  /** For `tls.createServer({ SNICallback })`. */
  readonly SNICallback: (servername: string, callback: (err: Error | null, ctx?: SecureContext) => void) => void;
}

/** Reads every configured certificate; throws with the certificate name when a file is unreadable or invalid. */
export function loadCertificates(certs: Readonly<Record<string, CertificateConfig>>, configDir: string): Map<string, LoadedCertificate> {
  const loaded = new Map<string, LoadedCertificate>();
  for (const [name, cfg] of Object.entries(certs)) {
    try {
      const cert = readFileSync(resolve(configDir, cfg.cert));
      const key = readFileSync(resolve(configDir, cfg.key));
      loaded.set(name, {
        name,
        domains: (cfg.domains ?? []).map((d) => d.toLowerCase()),
        isDefault: cfg.default,
        cert,
        key,
        context: createSecureContext({ cert, key }),
      });
    } catch (err) {
      throw new Error(`certificate "${name}": ${(err as Error).message}`, { cause: err });
    }
  }
  return loaded;
}

/** Builds the selector for one server; throws when the server has no certificate to offer. */
export function createSniSelector(all: ReadonlyMap<string, LoadedCertificate>, names: readonly string[] | undefined): SniSelector {
  const offered = names === undefined ? [...all.values()] : names.map((n) => all.get(n)).filter((c) => c !== undefined);
  const first = offered[0];
  if (first === undefined) throw new Error('a TLS server needs at least one certificate');
  const exact = new Map<string, LoadedCertificate>();
  const wildcard = new Map<string, LoadedCertificate>();
  for (const cert of offered) {
    for (const domain of cert.domains) {
      if (domain.startsWith('*.')) {
        if (!wildcard.has(domain.slice(2))) wildcard.set(domain.slice(2), cert);
      } else if (!exact.has(domain)) {
        exact.set(domain, cert);
      }
    }
  }
  const fallback = offered.find((c) => c.isDefault) ?? first;
  const select = (servername: string): LoadedCertificate => {
    let name = servername.toLowerCase();
    if (name.endsWith('.')) name = name.slice(0, -1);
    const hit = exact.get(name);
    if (hit !== undefined) return hit;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = wildcard.get(name.slice(dot + 1));
      if (wild !== undefined) return wild;
    }
    return fallback;
  };
  return {
    fallback,
    select,
    SNICallback: (servername, callback) => callback(null, select(servername).context),
  };
}
