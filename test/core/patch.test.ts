import { afterEach, describe, expect, it } from 'vitest';
import { setDiagLogger, type DiagLogger } from '../../src/core/diag.js';
import { closest, reportUnknownKeys } from '../../src/core/options-check.js';
import { originalOf, Patches } from '../../src/core/patch.js';

function recordDiag(): string[] {
  const lines: string[] = [];
  const push = (m: string): void => void lines.push(m);
  const logger: DiagLogger = { error: push, warn: push, info: push, debug: push };
  setDiagLogger(logger, 'debug');
  return lines;
}

afterEach(() => setDiagLogger(undefined, 'none'));

describe('Patches', () => {
  it('wraps, marks, refuses to wrap twice and restores an own property', () => {
    const target = { f(a: number, b: number) { return a + b; } };
    const original = target.f;
    const p = new Patches();
    expect(p.method(target, 'f', (orig) => function (this: unknown, a: number, b: number) { return orig.call(this, a, b) * 10; })).toBe(true);
    expect(target.f(1, 2)).toBe(30);
    expect(originalOf(target.f)).toBe(original);
    expect(target.f.name).toBe('f');
    expect(target.f.length).toBe(2);
    expect(new Patches().method(target, 'f', () => () => 0)).toBe(false);
    expect(target.f(1, 2)).toBe(30);
    p.restore();
    expect(target.f).toBe(original);
    expect(Object.getOwnPropertyDescriptor(target, 'f')?.enumerable).toBe(true);
  });

  it('restores an inherited method by deleting the own wrapper', () => {
    class A { g() { return 1; } }
    const a = new A();
    const p = new Patches();
    p.method(a, 'g', () => () => 2);
    expect(a.g()).toBe(2);
    p.restore();
    expect(Object.hasOwn(a, 'g')).toBe(false);
    expect(a.g()).toBe(1);
  });

  it('passes through after restore when another wrapper sits on top of ours', () => {
    const target: { f: () => string } = { f: () => 'native' };
    const p = new Patches();
    p.method(target, 'f', (orig) => () => 'traced:' + orig());
    const ours = target.f;
    target.f = () => 'theirs:' + ours();
    expect(target.f()).toBe('theirs:traced:native');
    p.restore();
    expect(target.f()).toBe('theirs:native');
    // A later agent can wrap again on top of the chain.
    const q = new Patches();
    expect(q.method(target, 'f', (orig) => () => 'again:' + orig())).toBe(true);
    expect(target.f()).toBe('again:theirs:native');
    q.restore();
  });

  it('leaves a locked property alone with one diagnostic and never throws', () => {
    const lines = recordDiag();
    const target = {} as { f: () => number };
    Object.defineProperty(target, 'f', { value: () => 1, writable: false, configurable: false });
    const p = new Patches();
    expect(p.method(target, 'f', () => () => 2)).toBe(false);
    expect(target.f()).toBe(1);
    expect(lines.join('\n')).toMatch(/f is locked/);
    const frozen = Object.freeze({ f: () => 1 });
    expect(p.method(frozen, 'f', () => () => 2)).toBe(false);
    expect(p.method(null, 'f', () => () => 2)).toBe(false);
    expect(p.method({ f: 1 }, 'f', () => () => 2)).toBe(false);
    expect(p.method({ f() {} }, 'f', () => { throw new Error('bad wrap'); })).toBe(false);
    const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
    expect(p.method(hostile, 'f', () => () => 2)).toBe(false);
  });

  it('a writable but non-configurable property is patched by assignment and restored', () => {
    const target = {} as { f: () => number };
    const original = () => 1;
    Object.defineProperty(target, 'f', { value: original, writable: true, configurable: false, enumerable: true });
    const p = new Patches();
    expect(p.method(target, 'f', () => () => 2)).toBe(true);
    expect(target.f()).toBe(2);
    p.restore();
    expect(target.f).toBe(original);
  });

  it('patches nothing after restore', () => {
    const p = new Patches();
    p.restore();
    const target = { f: () => 1 };
    expect(p.method(target, 'f', () => () => 2)).toBe(false);
    expect(target.f()).toBe(1);
  });
});

describe('reportUnknownKeys', () => {
  it('names every unknown key once with the closest known option', () => {
    const lines: string[] = [];
    const unknown = reportUnknownKeys({ serviceName: 'a', colector: 'b', service: 'c', zzzzqqq: 1 }, ['service', 'collector', 'protocol'], 'option', (m) => lines.push(m));
    expect(unknown).toEqual(['serviceName', 'colector', 'zzzzqqq']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"serviceName" (did you mean "service"?)');
    expect(lines[0]).toContain('"colector" (did you mean "collector"?)');
    expect(lines[0]).toMatch(/"zzzzqqq"(?! \(did)/);
  });
  it('is silent for known keys and safe for non-objects and hostile objects', () => {
    const lines: string[] = [];
    expect(reportUnknownKeys({ service: 1 }, ['service'], 'option', (m) => lines.push(m))).toEqual([]);
    expect(reportUnknownKeys(null, ['service'])).toEqual([]);
    expect(reportUnknownKeys(new Proxy({}, { ownKeys() { throw new Error('x'); } }), ['a'])).toEqual([]);
    expect(lines).toEqual([]);
  });
  it('closest', () => {
    expect(closest('logLevle', ['logLevel', 'service'])).toBe('logLevel');
    expect(closest('xyz', ['logLevel', 'service'])).toBeUndefined();
  });
});
