import { describe, expect, it } from 'vitest';
import { ParamReport, UnsupportedParamError } from './param-report.ts';

describe('ParamReport', () => {
  it('lists dropped and clamped parameters once each, in first-seen order', () => {
    const report = new ParamReport(false);
    report.drop('seed');
    report.clamp('temperature');
    report.drop('seed');
    expect(report.names).toEqual(['seed', 'temperature']);
  });

  it('rejects the first one as bad_request naming the parameter in strict mode', () => {
    const report = new ParamReport(true);
    let caught: unknown;
    try {
      report.clamp('max_tokens');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsupportedParamError);
    expect({ code: (caught as UnsupportedParamError).code, param: (caught as UnsupportedParamError).param }).toEqual({ code: 'bad_request', param: 'max_tokens' });
  });
});
