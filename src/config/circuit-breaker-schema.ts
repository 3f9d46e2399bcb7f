/**
 * `upstreams.<name>.circuit_breaker`: a breaker per target of a proxied upstream (docs/proxy.md). Off
 * when absent, like Envoy's outlier detection: with one target an open circuit turns a short outage into
 * a cooldown of 503s, so it is a choice; `circuit_breaker: {}` turns it on with the defaults below.
 */
import { z } from 'zod';
import { duration } from './schema-units.ts';

/**
 * 500 and 502–504: the upstream or its own upstream failing. 501 and 505 answer one request's method or
 * version, 429 asks the client to slow down: none of them says the target is broken.
 */
const DEFAULT_FAILURE_STATUSES = [500, 502, 503, 504];

export const circuitBreakerSchema = z
  .strictObject({
    failures: z.number().int().min(1).max(10_000).default(5).describe('Consecutive failures of one target that open its circuit.'),
    cooldown: duration('30s').describe('How long an open circuit keeps the target out before probes may go through.'),
    half_open_probes: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe('Requests let through at once after the cooldown; the first success closes the circuit, a failure opens it again.'),
    failure_statuses: z
      .array(z.number().int().min(400).max(599))
      .default(DEFAULT_FAILURE_STATUSES)
      .describe('Response statuses that count as a failure (connect errors and timeouts always do).'),
  })
  .describe('Circuit breaker per target: consecutive failures open it, the balancer then skips the target until the cooldown ends.');

export type CircuitBreakerConfig = z.output<typeof circuitBreakerSchema>;
