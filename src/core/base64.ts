// Standard Base64 (RFC 4648 §4, `+/`, `=` padding) of UTF-8 text, as every SkyWalking
// agent uses in sw8. btoa/atob exist in Node 20, browsers and workers alike, and on Node
// they are several times faster than a table-driven encoder written in JS.

/** @internal One UTF-8 encoder for the package (each bundle carries one instance). */
export const utf8 = /* @__PURE__ */ new TextEncoder();
// fatal: invalid UTF-8 is an invalid header, not a string of replacement characters.
// ignoreBOM: a leading U+FEFF is text like any other (Java keeps it), not a marker to drop.
// Created on first use, so bundles that only encode carry no decoder.
let decoder: TextDecoder | undefined;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the UTF-8 bytes of `text`. */
export function encodeBase64(text: string): string {
  // btoa takes Latin-1; ASCII text is its own UTF-8.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return btoa(text);
  const bytes = utf8.encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/**
 * Strictly decodes standard padded Base64 to UTF-8 text. Returns `undefined` for a
 * wrong length, a character outside the alphabet, misplaced padding, non-zero pad bits
 * or invalid UTF-8. Never throws.
 */
export function decodeBase64(value: string): string | undefined {
  const n = value.length;
  if (n === 0 || (n & 3) !== 0) return undefined;
  // atob is "forgiving": it also takes ASCII whitespace and missing padding, but rejects
  // any other character outside the alphabet and any '=' not at the end. Missing padding
  // is excluded by the length check above; skipped whitespace would leave fewer bytes than
  // the length promises, which the byte count below catches. Cheaper than a regex first.
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return undefined;
  }
  const pads = value.charCodeAt(n - 1) !== 61 ? 0 : value.charCodeAt(n - 2) === 61 ? 2 : 1;
  if (binary.length !== (n >> 2) * 3 - pads) return undefined;
  // atob ignores non-zero pad bits; a strict decoder (Java's) rejects them.
  if (pads !== 0 && ALPHABET.indexOf(value[n - 1 - pads]!) & (pads === 2 ? 15 : 3)) return undefined;
  let high = 0;
  for (let i = 0; i < binary.length; i++) high |= binary.charCodeAt(i);
  // ASCII bytes are their own UTF-8 text.
  if (high < 0x80) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return (decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })).decode(bytes);
  } catch {
    return undefined;
  }
}
