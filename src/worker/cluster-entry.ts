/**
 * The worker process main (forked by the master through node:cluster). The protocol handling is installed
 * before anything heavy is imported, so the master's messages are never missed; the gateway is loaded
 * when the master sends `start`, and listens on the master's handles instead of binding.
 */
import { linkProcessKeyStates } from '../ai/routing/key-state-link.ts';
import { useClusterCounterStore } from '../limits/lease-channel.ts';
import { runClusterWorker } from './cluster-worker.ts';
import { primeNextTick } from './prime-next-tick.ts';

// First, before any IPC traffic: keeps process.nextTick monomorphic for the worker's lifetime.
primeNextTick();

// Limits count cluster-wide through the master (leases, token counts) in every runtime this worker compiles.
useClusterCounterStore(process);
// Provider key cooldowns mirror the master's map (sent once on subscribe, then every change).
const keyStatesSynced = linkProcessKeyStates(process).synced;

runClusterWorker(async ({ loaded, handles, generation, slot, logFile }) => {
  const [{ createAppLog }, { startGateway }, { ConnectionDrain }, { CircuitWatch }, { masterNotifier }] = await Promise.all([
    import('../lib/app-log.ts'),
    import('./start.ts'),
    import('./connection-drain.ts'),
    import('./circuit-watch.ts'),
    import('./notify-master.ts'),
  ]);
  const { basic } = loaded.config;
  const log = createAppLog({ level: basic.log_level, name: basic.name, file: logFile });
  const logger = log.logger.child({ role: 'worker', generation, slot });
  const drain = new ConnectionDrain();
  // Before the gateway compiles its breakers: `-s status` lists the open ones, the master is told of changes.
  const circuits = new CircuitWatch({ providers: loaded.config.providers, notify: masterNotifier(process) });
  await keyStatesSynced; // no request may use a key that another generation has cooled
  const gateway = await startGateway({ loaded, logger, handles, drain, identity: { generation, slot }, observabilityChannel: process });
  return {
    addresses: gateway.addresses,
    requestsInFlight: () => drain.requestsInFlight,
    drain: (options) => gateway.drain(options),
    stop: () => gateway.close(),
    notClosedCircuits: () => circuits.notClosed(),
    reopenLogs: () => {
      log.reopen();
      gateway.reopenLogs();
      logger.info('log file reopened');
    },
  };
});
