/**
 * Listeners: one per (server, listen address). What accepts connections depends on the server:
 * - cleartext HTTP/1.1: a node:http server;
 * - cleartext with `http2: true`: a net server that reads the first bytes of each connection and hands
 *   the socket (data unshifted) to an http2 server when they are the h2 preface ("PRI * HTTP/2.0…",
 *   prior knowledge), otherwise to the HTTP/1.1 server;
 * - TLS: https (HTTP/1.1) or http2.createSecureServer with ALPN h2 + HTTP/1.1, SNI per server.
 * `listen()` takes an address or a listening handle passed in by the master (zero-downtime hand-off).
 * Connections and HTTP/2 sessions are tracked so a later drain can stop accepting, send GOAWAY /
 * `connection: close`, and close idle sockets; `close()` destroys everything now.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, createServer as createH2Server } from 'node:http2';
import type { Http2Server, Http2SecureServer, Http2Session } from 'node:http2';
import { Server as NetServer, isIPv6 } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../lib/logger.ts';
import { sendClientError } from './client-error.ts';
import type { ConnectionDrain } from './connection-drain.ts';
import type { RequestHandler } from './request-handler.ts';
import type { ServerRuntime } from './runtime.ts';
import type { SniSelector } from './tls-context.ts';

/** Where a listener accepts: a fresh bind, or a listening handle received from the master. */
export type ListenTarget = { readonly host: string; readonly port: number } | { readonly handle: object };

export interface Listener {
  readonly serverName: string;
  readonly scheme: 'http' | 'https';
  /** Starts accepting; resolves with "scheme://host:port". */
  listen(target: ListenTarget): Promise<string>;
  /** Stops accepting new connections; open ones keep being served (the drain protocol builds on this). */
  stopAccepting(): Promise<void>;
  /** Stops accepting and destroys every open connection and HTTP/2 session. */
  close(): Promise<void>;
}

/** What a listener reads of its server (a ServerRuntime, or the admin listener's fixed settings). */
export interface ListenerServer {
  readonly name: string;
  readonly config: Pick<ServerRuntime['config'], 'http2' | 'keepalive_timeout' | 'request_header_timeout'> & Partial<Pick<ServerRuntime['config'], 'tls'>>;
}

export interface ListenerOptions {
  readonly server: ListenerServer;
  readonly handler: RequestHandler;
  /** Required for TLS servers. */
  readonly sni: SniSelector | null;
  readonly logger: Logger;
  /** Worker mode: connections, sessions and requests are tracked for the graceful drain. */
  readonly drain?: ConnectionDrain | undefined;
}

const H2_PREFACE_START = Buffer.from('PRI ');

function ignore(): void {}

function httpOptions(server: ListenerServer): { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number; noDelay: boolean } {
  // requestTimeout 0: a long upload or stream must not be cut by node; the head has headersTimeout.
  return { keepAliveTimeout: server.config.keepalive_timeout, headersTimeout: server.config.request_header_timeout, requestTimeout: 0, noDelay: true };
}

function destroySilentSocket(this: Socket): void {
  this.destroy();
}

/**
 * Routes a cleartext connection by its first bytes: the h2 preface goes to `h2`, anything else to `h1`.
 * A connection that sends nothing within `timeoutMs` is closed (node's header timeout starts only after
 * the hand-off).
 */
function sniffProtocol(socket: Socket, h1: HttpServer, h2: Http2Server, timeoutMs: number): void {
  let head: Buffer | null = null;
  socket.setTimeout(timeoutMs, destroySilentSocket);
  const onData = (chunk: Buffer): void => {
    head = head === null ? chunk : Buffer.concat([head, chunk]);
    if (head.length < H2_PREFACE_START.length && H2_PREFACE_START.subarray(0, head.length).equals(head)) return;
    socket.off('data', onData);
    socket.setTimeout(0, destroySilentSocket);
    socket.pause();
    socket.unshift(head);
    const isH2 = head.length >= H2_PREFACE_START.length && head.subarray(0, H2_PREFACE_START.length).equals(H2_PREFACE_START);
    if (isH2) {
      // The session feeds itself what is buffered (socket.read() on the next tick), then reads the handle.
      h2.emit('connection', socket);
    } else {
      h1.emit('connection', socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}

export function createListener(options: ListenerOptions): Listener {
  const { server, sni, logger, drain } = options;
  const handler: RequestHandler =
    drain === undefined
      ? options.handler
      : (req, res) => {
          drain.trackRequest(req, res);
          options.handler(req, res);
        };
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const isTls = server.config.tls !== undefined;
  let acceptor: NetServer;

  const onSession = (session: Http2Session): void => {
    sessions.add(session);
    drain?.trackSession(session);
    session.on('error', ignore);
    session.once('close', () => sessions.delete(session));
  };
  const onClientError = (err: Error & { code?: string }, socket: Duplex): void => {
    sendClientError(err, socket);
  };
  const watchH2 = (h2: Http2Server | Http2SecureServer): void => {
    h2.on('session', onSession);
    h2.on('sessionError', ignore);
    h2.on('clientError', onClientError);
  };

  if (isTls) {
    if (sni === null) throw new Error(`server "${server.name}": TLS needs certificates`);
    const tlsOptions = { key: sni.fallback.key, cert: sni.fallback.cert, SNICallback: sni.SNICallback };
    if (server.config.http2) {
      const h2 = createSecureServer({ ...tlsOptions, allowHTTP1: true }, handler);
      watchH2(h2);
      acceptor = h2;
    } else {
      const https = createHttpsServer({ ...tlsOptions, ...httpOptions(server) }, handler);
      https.on('clientError', onClientError);
      acceptor = https;
    }
    acceptor.on('tlsClientError', (err: Error) => logger.debug({ err }, 'TLS handshake failed'));
  } else if (server.config.http2) {
    const h1 = createHttpServer(httpOptions(server), handler);
    h1.on('clientError', onClientError);
    const h2 = createH2Server({}, handler);
    watchH2(h2);
    acceptor = new NetServer((socket) => sniffProtocol(socket, h1, h2, server.config.request_header_timeout));
  } else {
    const h1 = createHttpServer(httpOptions(server), handler);
    h1.on('clientError', onClientError);
    acceptor = h1;
  }

  if (drain !== undefined) {
    // The drain must track the socket requests arrive on: the TLS socket on TLS servers.
    if (isTls) acceptor.on('secureConnection', (socket: Socket) => drain.trackConnection(socket));
    else acceptor.on('connection', (socket: Socket) => drain.trackConnection(socket));
  }
  acceptor.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', ignore);
    socket.once('close', () => sockets.delete(socket));
  });
  acceptor.on('error', (err: Error) => logger.error({ err, server: server.name }, 'listener error'));

  const scheme = isTls ? 'https' : 'http';
  let isListening = false;

  const stopAccepting = (): Promise<void> =>
    new Promise((resolve) => {
      if (!isListening) {
        resolve();
        return;
      }
      isListening = false;
      // net.Server's own close: stops accepting without http.Server's eager closeIdleConnections().
      NetServer.prototype.close.call(acceptor, () => resolve());
    });

  return {
    serverName: server.name,
    scheme,
    listen(target) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        acceptor.once('error', onError);
        const onListening = (): void => {
          acceptor.off('error', onError);
          isListening = true;
          const address = acceptor.address() as AddressInfo;
          const host = isIPv6(address.address) ? `[${address.address}]` : address.address;
          resolve(`${scheme}://${host}:${address.port}`);
        };
        if ('handle' in target) acceptor.listen(target.handle, onListening);
        else acceptor.listen({ host: target.host, port: target.port }, onListening);
      });
    },
    stopAccepting,
    async close() {
      const stopped = stopAccepting();
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
