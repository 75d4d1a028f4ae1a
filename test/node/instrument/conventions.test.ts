// The pure parts of the conventions: statement masking, parameter formatting, cache ops, versions.
import { describe, expect, it } from 'vitest';
import { maskedStatement } from '../../../src/node/instrument/mysql2.js';
import { cacheOp } from '../../../src/node/instrument/redis-commands.js';
import { formatParameters } from '../../../src/node/instrument/sql.js';
import { inRange } from '../../../src/node/instrument/version.js';

describe('library conventions', () => {
  it('masks the literals mysql2 formatted into a query, only when values were given', () => {
    expect(maskedStatement("SELECT * FROM t1 WHERE a = 'it\\'s' AND b = 12.5 AND c = X'0a'", [1])).toBe('SELECT * FROM t1 WHERE a = ? AND b = ? AND c = ?');
    expect(maskedStatement('SELECT 3 AS n', undefined)).toBe('SELECT 3 AS n');
    expect(maskedStatement('SELECT 3 AS n', [])).toBe('SELECT 3 AS n');
  });

  it('formats parameters as backend-js does, cut with " ..."', () => {
    expect(formatParameters([1, 'a', null, true], 512)).toBe('[1, "a", null, true]');
    expect(formatParameters(['x'.repeat(20)], 10)).toBe('["xxxxxxxx ...');
  });

  it('classifies commands as read or write, others as neither', () => {
    expect([cacheOp('GET'), cacheOp('HGETALL'), cacheOp('SET'), cacheOp('DEL'), cacheOp('PING'), cacheOp('MULTI')]).toEqual(['read', 'read', 'write', 'write', undefined, undefined]);
  });

  it('checks versions against [from, below)', () => {
    const r = { from: '5.11.0', below: '7.0.0' };
    expect([inRange('5.11.1', r), inRange('5.10.9', r), inRange('6.1.0', r), inRange('7.0.0', r), inRange('7.0.0-beta.1', r), inRange(undefined, r), inRange('x', r)]).toEqual([true, false, true, false, false, false, false]);
  });
});
