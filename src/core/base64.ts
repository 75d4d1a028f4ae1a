// Standard Base64 (RFC 4648 §4, `+/`, `=` padding) of UTF-8 text, as every SkyWalking
// agent uses in sw8. btoa/atob exist in Node 20, browsers and workers alike, and on Node
// they are several times faster than a table-driven encoder written in JS.

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an invalid header, not a string of replacement characters.
// Created on first use, so bundles that only encode carry no decoder.
let decoder: TextDecoder | undefined;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 of the UTF-8 bytes of `text`. */
export function encodeBase64(text: string): string {
  // btoa takes Latin-1; ASCII text is its own UTF-8.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return btoa(text);
  const bytes = encoder.encode(text);
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
  if (value.length === 0 || !CANONICAL.test(value)) return undefined;
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return undefined;
  }
  // atob ignores non-zero pad bits; a strict decoder (Java's) rejects them.
  const n = value.length;
  if (value.charCodeAt(n - 1) === 61) {
    const twoPads = value.charCodeAt(n - 2) === 61;
    const last = ALPHABET.indexOf(value[twoPads ? n - 3 : n - 2]!);
    if (last & (twoPads ? 15 : 3)) return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return (decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(bytes);
  } catch {
    return undefined;
  }
}
