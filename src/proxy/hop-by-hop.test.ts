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
