import { describe, expect, it } from 'vitest';
import { unsafeHtmlProblem } from '../../../shared/domain/html-policy';

describe('the HTML allowlist of help and index pages', () => {
  it.each([
    ['<SCRIPT>x</SCRIPT>', /script/],
    ['<a href="  javascript:x">', /not an http/],
    ['<a href="&#106;avascript:x">', /not an http/],
    ['<a href="data:text/html,x">', /not an http/],
    ['<img src="x" ONERROR="x">', /event handler onerror/],
    ['<p style="width: expression(alert(1))">', /CSS/],
    ['<style>@import "https://evil.example/x.css";</style>', /CSS/],
    ['<style>body{}', /not closed/],
    ['<form action="https://evil.example"><input></form>', /form/],
    ['<base href="https://evil.example/">', /base/],
    ['<a href=x formaction=y>', /formaction/],
    ['<!-- unclosed', /comment/],
    ['1 < 2 <', /not an allowed tag/],
  ])('refuses %s', (html, reason) => {
    expect(unsafeHtmlProblem(html)).toMatch(reason);
  });

  it.each([
    '<p>Hello ##user##</p>',
    '<a href="https://acme.example/a?b=c:d#e">x</a>',
    '<a href="page.html">x</a><a href="#top">top</a><a href="mailto:a@b.example">m</a>',
    '<table border="1"><tr><td colspan="2">x</td></tr></table>',
    '<meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    '1 &lt; 2',
    '',
  ])('takes %s', (html) => {
    expect(unsafeHtmlProblem(html)).toBeUndefined();
  });
});
