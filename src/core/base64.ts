// Standard Base64 (RFC 4648 §4, `+/`, `=` padding) of UTF-8 text, as every SkyWalking
// agent uses in sw8. Own implementation: Buffer is Node-only and btoa needs binary
// strings; this is faster than either round trip for short header fields.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an invalid header, not a string of replacement characters.
const decoder = new TextDecoder('utf-8', { fatal: true });

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function encodeBytes(get: (i: number) => number, n: number): string {
  let out = '';
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (get(i) << 16) | (get(i + 1) << 8) | get(i + 2);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (n - i === 1) {
    const v = get(i) << 16;
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + '==';
  } else if (n - i === 2) {
    const v = (get(i) << 16) | (get(i + 1) << 8);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + '=';
  }
  return out;
}

/** Base64 of the UTF-8 bytes of `text`. */
export function encodeBase64(text: string): string {
  if (isAscii(text)) return encodeBytes((i) => text.charCodeAt(i), text.length);
  const bytes = encoder.encode(text);
  return encodeBytes((i) => bytes[i]!, bytes.length);
}

/**
 * Strictly decodes standard padded Base64 to UTF-8 text. Returns `undefined` for a
 * wrong length, a character outside the alphabet, misplaced padding, non-zero pad bits
 * or invalid UTF-8. Never throws.
 */
export function decodeBase64(value: string): string | undefined {
  const n = value.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  let pad = 0;
  if (value.charCodeAt(n - 1) === 61) pad = value.charCodeAt(n - 2) === 61 ? 2 : 1;
  const bytes = new Uint8Array((n / 4) * 3 - pad);
  let ascii = true;
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const c0 = sextet(value, i);
    const c1 = sextet(value, i + 1);
    const c2 = last && pad === 2 ? 0 : sextet(value, i + 2);
    const c3 = last && pad >= 1 ? 0 : sextet(value, i + 3);
    if ((c0 | c1 | c2 | c3) < 0) return undefined;
    const v = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    bytes[o++] = v >> 16;
    if (o < bytes.length) bytes[o++] = (v >> 8) & 255;
    else if (((v >> 8) & 255) !== 0) return undefined;
    if (o < bytes.length) bytes[o++] = v & 255;
    else if (last && (v & 255) !== 0) return undefined;
  }
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) ascii = false;
  if (ascii) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function sextet(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? DECODE[c]! : -1;
}
