/** Issue 12: links in message bodies, safe schemes only (http, https, mailto, tel); the rest stays text. */
import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from '../../web/src/lib/linkify.js';

const links = (body: string) => linkify(body).filter((p) => p.type === 'link').map((p) => (p.type === 'link' ? [p.text, p.href] : []));
const joined = (body: string) => linkify(body).map((p) => p.text).join('');

describe('linkify', () => {
  it('makes http and https links, keeping the surrounding text intact', () => {
    const parts = linkify('See https://example.com/a?b=1#c and http://foo.test/x now');
    expect(parts).toEqual([
      { type: 'text', text: 'See ' },
      { type: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c', external: true },
      { type: 'text', text: ' and ' },
      { type: 'link', text: 'http://foo.test/x', href: 'http://foo.test/x', external: true },
      { type: 'text', text: ' now' },
    ]);
  });

  it('links www. addresses over https, email addresses and mailto: as mailto, tel: as tel (not external)', () => {
    expect(links('go to www.acme.test/book')).toEqual([['www.acme.test/book', 'https://www.acme.test/book']]);
    expect(links('write to help@acme.test please')).toEqual([['help@acme.test', 'mailto:help@acme.test']]);
    expect(links('mailto:help@acme.test?subject=Hi')).toEqual([['mailto:help@acme.test?subject=Hi', 'mailto:help@acme.test?subject=Hi']]);
    expect(links('call tel:+1 (555) 010-0199 today')).toEqual([['tel:+1 (555) 010-0199', 'tel:+15550100199']]);
    expect(linkify('call tel:+15550100199').find((p) => p.type === 'link')).toMatchObject({ external: false });
    expect(linkify('mail help@acme.test').find((p) => p.type === 'link')).toMatchObject({ external: false });
  });

  it('leaves javascript:, data:, vbscript:, file: and other schemes as plain text', () => {
    for (const body of ['javascript:alert(1)', 'click javascript:alert(document.cookie)//https', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://example.com/x', 'JaVaScRiPt:alert(1)', 'sms:+15550100', 'javascript://example.com/%0Aalert(1)']) {
      expect(links(body), body).toEqual([]);
      expect(joined(body)).toBe(body);
    }
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('https://ok.test')).toBe('https://ok.test/');
  });

  it('does not let a link hide in another scheme: only the real http(s) part becomes a link', () => {
    const parts = linkify('javascript:https://evil.test');
    // The https URL is linked on its own; the javascript: prefix stays text and is not in any href.
    expect(parts.filter((p) => p.type === 'link').every((p) => p.type === 'link' && /^https:/.test(p.href))).toBe(true);
    expect(joined('javascript:https://evil.test')).toBe('javascript:https://evil.test');
  });

  it('leaves trailing punctuation out of a link but keeps balanced brackets', () => {
    expect(links('Book at https://acme.test/book.')).toEqual([['https://acme.test/book', 'https://acme.test/book']]);
    expect(links('(see https://acme.test/a)')).toEqual([['https://acme.test/a', 'https://acme.test/a']]);
    expect(links('https://en.wikipedia.org/wiki/Pipe_(fluid), ok?')).toEqual([['https://en.wikipedia.org/wiki/Pipe_(fluid)', 'https://en.wikipedia.org/wiki/Pipe_(fluid)']]);
    expect(links('Really? https://acme.test!')).toEqual([['https://acme.test', 'https://acme.test/']]);
  });

  it('keeps text without links as one part, and the empty body as none', () => {
    expect(linkify('No links here: 555-0100, a@b, www')).toEqual([{ type: 'text', text: 'No links here: 555-0100, a@b, www' }]);
    expect(linkify('')).toEqual([]);
  });

  it('never loses or reorders characters, whatever the text', () => {
    const samples = ['https://a.test https://b.test', 'x https://a.test/<script>alert(1)</script> y', '💧 leak at https://acme.test/💧 ok', 'tel:', 'mailto:', 'https://', 'http://[::1]:8080/x', 'a\nhttps://a.test\nb'];
    for (const body of samples) expect(joined(body), body).toBe(body);
    expect(links('x https://a.test/<script>alert(1)</script> y')).toEqual([['https://a.test/', 'https://a.test/']]);
  });
});
