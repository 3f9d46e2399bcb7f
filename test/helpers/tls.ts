import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Test-only TLS material in test/fixtures/tls (see its README). */
export const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
export const TEST_CA = readFileSync(`${TLS_DIR}ca.pem`);
export const TEST_CERT = readFileSync(`${TLS_DIR}server.pem`);
export const TEST_KEY = readFileSync(`${TLS_DIR}server.key`);
