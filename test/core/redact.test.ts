import { describe, expect, it } from 'vitest';
import { isSensitiveName, pathOf, redactUrl } from '../../src/core/redact.js';

describe('isSensitiveName', () => {
  it('catches lower-case compounds, separators and short names, as the README promises', () => {
    const secret = [
      'privatekey', 'passcode', 'accesstoken', 'authtoken', 'sessiontoken', 'idtoken', 'pass', 'pw', 'pin', 'bearer', 'ticket', 'pass_word',
      'PASS-WORD', 'user[password]', 'accessToken', 'X-Amz-Signature', 'sig', 'sid', 'jsessionid', 'otp', 'api_key', 'apikey', 'client_secret',
      'Authorization', 'authorisation', 'x-auth', 'oauth_verifier', 'code', 'auth_code', 'key', 'AWSAccessKeyId', 'refresh-token', 'newpw', 'userpin',
      'passwd', 'pwd', 'credentials', 'csrf', '_xsrf', 'cookie', 'jwt', 'passphrase', 'secretkey',
    ];
    for (const n of secret) expect(isSensitiveName(n), n).toBe(true);
  });
  it('leaves ordinary names alone', () => {
    for (const n of ['page', 'q', 'sort', 'id', 'keyword', 'key_id', 'author', 'authority', 'lang', 'limit', 'offset', 'filter', 'user', 'email', 'spin_speed', 'shipping'])
      expect(isSensitiveName(n), n).toBe(false);
  });
});

describe('pathOf', () => {
  it('drops query, fragment and ;path parameters', () => {
    expect(pathOf('/a/b?x=1#f')).toBe('/a/b');
    expect(pathOf('/cart;jsessionid=ABC123/items;v=2?q=1')).toBe('/cart/items');
    expect(pathOf('/plain')).toBe('/plain');
    expect(pathOf('')).toBe('');
  });
});

describe('redactUrl', () => {
  it('redacts values of sensitive names, keeps the rest as written, and strips path parameters', () => {
    expect(redactUrl('http://h:80', '/x;jsessionid=S3CR3T?privatekey=a&passcode=b&page=2&pw=c&pin=1234&pass_word=d&Pass=e&q=a%20b+c#frag'))
      .toBe('http://h:80/x?privatekey=***&passcode=***&page=2&pw=***&pin=***&pass_word=***&Pass=***&q=a%20b+c');
    expect(redactUrl('http://h:80', '/x?%74oken=abc&flag&=v&token')).toBe('http://h:80/x?%74oken=***&flag&=v&token');
    // `;` also separates pairs for some servers; values may contain `=`.
    expect(redactUrl('http://h:80', '/x?a=1;idtoken=eyJ==&b=2')).toBe('http://h:80/x?a=1;idtoken=***&b=2');
    expect(redactUrl('https://h:443', '/plain')).toBe('https://h:443/plain');
  });
});
