import { describe, expect, it } from 'vitest';
import { copyRequestHeaders, copyResponseHeaders } from './hop-by-hop.ts';

describe('copyRequestHeaders', () => {
  it('drops hop-by-hop headers, headers named in Connection, host, expect and pseudo-headers', () => {
    const out = copyRequestHeaders(
      {
        connection: 'keep-alive, X-Secret ,close',
        'x-secret': 's',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        host: 'client.test',
        expect: '100-continue',
        ':method': 'GET',
        ':authority': 'client.test',
        accept: 'text/plain',
        'content-length': '3',
      },
      false,
    );
    expect(out).toEqual({ accept: 'text/plain', 'content-length': '3' });
  });

  it('keeps the client Host (or :authority) with preserveHost', () => {
    expect(copyRequestHeaders({ host: 'a.test' }, true)).toEqual({ host: 'a.test' });
    expect(copyRequestHeaders({ ':authority': 'b.test' }, true)).toEqual({ host: 'b.test' });
  });
});

describe('copyResponseHeaders', () => {
  it('keeps repeated values and drops hop-by-hop ones', () => {
    const out = copyResponseHeaders({ 'set-cookie': ['a=1', 'b=2'], connection: 'x-hop', 'x-hop': '1', 'transfer-encoding': 'chunked', 'content-type': 'text/plain' });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });
});

describe('Connection header values', () => {
  it('keeps every end-to-end header when Connection only says keep-alive or close, in any case', () => {
    for (const connection of ['keep-alive', 'Keep-Alive', 'close', 'CLOSE']) {
      expect(copyResponseHeaders({ connection, 'content-type': 'text/plain', 'x-a': '1' })).toEqual({ 'content-type': 'text/plain', 'x-a': '1' });
    }
  });

  it('drops a header named alone in Connection, also when it has the length of "keep-alive"', () => {
    expect(copyResponseHeaders({ connection: 'X-Private1', 'x-private1': 's', 'x-b': '2' })).toEqual({ 'x-b': '2' });
    expect(copyResponseHeaders({ connection: ['close', 'x-c'], 'x-c': '3', 'x-d': '4' })).toEqual({ 'x-d': '4' });
  });
});
