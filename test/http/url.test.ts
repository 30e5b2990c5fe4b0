import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { hopHeaders, nextHop } from '../../packages/psso-wstrust/src/http/redirect.ts';
import { flattenHeaders } from '../../packages/psso-wstrust/src/http/response.ts';
import { checkUrl, isLoopback } from '../../packages/psso-wstrust/src/http/url.ts';

const code = (c: string) => (e: unknown) => e instanceof HttpError && e.code === c;
const allow = { dangerouslyAllowHttpLoopback: true } as const;

describe('checkUrl', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '127.1', 'localhost', 'LOCALHOST', '[::1]']) {
    test(`${host} is loopback`, () => {
      assert.ok(isLoopback(new URL(`http://${host}/`).hostname));
      assert.equal(checkUrl(`http://${host}:8080/x`, allow).protocol, 'http:');
    });
  }
  for (const host of [
    '10.0.0.1',
    'localhost.example.com',
    'localhost.',
    '128.0.0.1',
    '[::2]',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
  ]) {
    test(`${host} is not loopback: http refused even with the option`, () => {
      assert.ok(!isLoopback(new URL(`http://${host}/`).hostname));
      assert.throws(() => checkUrl(`http://${host}/`, allow), code('PSSO_ERR_HTTP_INSECURE_URL'));
    });
  }
  test('https is accepted; the scheme check ignores case', () => {
    assert.equal(checkUrl('HTTPS://EXAMPLE.COM/x', {}).href, 'https://example.com/x');
    assert.equal(checkUrl(new URL('https://example.com/'), {}).protocol, 'https:');
    assert.equal(checkUrl('HTTP://127.0.0.1/', allow).protocol, 'http:');
  });
  test('http to loopback is refused without the option', () => {
    assert.throws(() => checkUrl('http://127.0.0.1/', {}), code('PSSO_ERR_HTTP_INSECURE_URL'));
    assert.throws(
      () => checkUrl('http://127.0.0.1/', { dangerouslyAllowHttpLoopback: false }),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    );
  });
  test('other schemes are refused', () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'ws://127.0.0.1/', 'data:,x']) {
      assert.throws(() => checkUrl(url, allow), code('PSSO_ERR_HTTP_INSECURE_URL'));
    }
  });
  test('credentials are refused, and never echoed', () => {
    for (const url of [
      'https://u:s3cret@example.com/',
      'https://s3cret@example.com/',
      'https://:s3cret@example.com/',
    ]) {
      assert.throws(
        () => checkUrl(url, {}),
        (e) => code('PSSO_ERR_HTTP_INVALID_URL')(e) && !(e as Error).message.includes('s3cret'),
      );
    }
  });
  test('unparsable and relative URLs are refused', () => {
    for (const url of ['', 'not a url', '/relative', 'https://', 'https://exa mple.com/']) {
      assert.throws(() => checkUrl(url, {}), code('PSSO_ERR_HTTP_INVALID_URL'));
    }
  });
});

describe('redirect policy', () => {
  const current = new URL('https://a.example/x/y');
  const base = {
    method: 'GET',
    status: 302,
    location: '../z?q=1',
    current,
    followed: 0,
    maxRedirects: 2,
    dangerouslyAllowHttpLoopback: false,
  } as const;
  test('non-3xx is not a redirect', () => {
    for (const status of [200, 204, 299, 400, 500])
      assert.equal(nextHop({ ...base, status }), undefined);
  });
  test('Location is resolved against the current URL', () => {
    assert.equal(nextHop(base)?.href, 'https://a.example/z?q=1');
  });
  test('an unparsable Location is an invalid URL', () => {
    assert.throws(
      () => nextHop({ ...base, location: 'https://exa mple.com/' }),
      code('PSSO_ERR_HTTP_INVALID_URL'),
    );
  });
  test('the hop count is enforced', () => {
    assert.throws(
      () => nextHop({ ...base, followed: 2 }),
      code('PSSO_ERR_HTTP_TOO_MANY_REDIRECTS'),
    );
  });
  test('credential headers survive a same-origin hop only', () => {
    const headers = {
      Authorization: 'Basic x',
      cookie: 'c',
      'proxy-authorization': 'p',
      soapaction: 'a',
    };
    assert.equal(hopHeaders(headers, current, new URL('https://a.example/other')), headers);
    assert.deepEqual(hopHeaders(headers, current, new URL('https://a.example:444/')), {
      soapaction: 'a',
    });
  });
});

describe('flattenHeaders', () => {
  test('lower-case names, repeated values joined, __proto__ stays an own property', () => {
    const raw = JSON.parse(
      '{"Set-Cookie":["a=1","b=2"],"X-A":"x","x-a":"y","__proto__":"p"}',
    ) as Record<string, string | string[]>;
    const flat = flattenHeaders(raw);
    assert.equal(flat['set-cookie'], 'a=1, b=2');
    assert.equal(flat['x-a'], 'x, y');
    assert.ok(Object.hasOwn(flat, '__proto__'));
    assert.equal(Object.getPrototypeOf(flat), Object.prototype);
  });
});
