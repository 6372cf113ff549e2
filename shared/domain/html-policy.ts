/**
 * What HTML the panel stores for the help page and the index page (issue 8: they were stored and
 * served as given). Decision: refuse, never rewrite. A page with anything outside an allowlist of
 * elements and attributes is refused naming the field and what was found, so the reseller sees
 * exactly what will be served; a sanitiser that silently drops parts would publish a different
 * page than the one written. No scripts, no event handlers, no `javascript:`/`data:` URLs, no
 * frames, objects, forms or <base>/<meta http-equiv>; CSS without url(), expression() or @import.
 * Text may hold `##tags##`; a bare `<` that starts no tag must be written `&lt;`.
 */
const ELEMENTS = new Set([
  'html', 'head', 'title', 'body', 'meta', 'style',
  'a', 'abbr', 'address', 'article', 'aside', 'b', 'blockquote', 'br', 'caption', 'center', 'cite', 'code',
  'col', 'colgroup', 'dd', 'del', 'details', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'main', 'mark', 'nav',
  'ol', 'p', 'pre', 'q', 's', 'section', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
]);
const ATTRIBUTES = new Set([
  'href', 'src', 'alt', 'title', 'class', 'id', 'style', 'width', 'height', 'align', 'valign', 'colspan',
  'rowspan', 'border', 'cellpadding', 'cellspacing', 'color', 'size', 'face', 'lang', 'dir', 'target', 'rel',
  'name', 'charset', 'bgcolor', 'start', 'type', 'open', 'scope', 'cite', 'datetime', 'content',
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite']);
/** Relative URLs, anchors, and these schemes only. */
const SAFE_URL = /^(?:https?:|mailto:|tel:|[^:/?#]*(?:[/?#]|$))/i;
const UNSAFE_CSS = /url\s*\(|expression\s*\(|@import|javascript:|behavior\s*:|-moz-binding/i;

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;
const ATTR = /\s+([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;

const decodeEntities = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);?/gi, (_m, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d+);?/g, (_m, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;|&newline;/gi, '');

/** Why `html` may not be stored, or undefined when it keeps to the allowlist. */
export function unsafeHtmlProblem(html: string): string | undefined {
  let i = 0;
  let inStyle = false;
  while (i < html.length) {
    if (inStyle) {
      const end = html.toLowerCase().indexOf('</style', i);
      if (end === -1) return '<style> is not closed';
      if (UNSAFE_CSS.test(html.slice(i, end))) return 'CSS may not use url(), expression(), @import or javascript:';
      inStyle = false;
      i = end;
      continue;
    }
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end === -1) return 'a comment is not closed';
      i = end + 3;
      continue;
    }
    if (/^<!doctype html\s*>/i.test(html.slice(lt, lt + 20))) {
      i = html.indexOf('>', lt) + 1;
      continue;
    }
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) return `"${html.slice(lt, lt + 20)}" is not an allowed tag (write a plain < as &lt;)`;
    const [, closing, rawName, attrs] = m;
    const name = (rawName as string).toLowerCase();
    if (!ELEMENTS.has(name)) return `<${name}> is not allowed`;
    if (!closing && name === 'style') inStyle = true;
    const problem = attrs ? attributeProblem(name, attrs) : undefined;
    if (problem) return problem;
    i = lt + m[0].length;
  }
  return inStyle ? '<style> is not closed' : undefined;
}

function attributeProblem(element: string, attrs: string): string | undefined {
  ATTR.lastIndex = 0;
  let m: RegExpExecArray | null;
  const all: Record<string, string> = {};
  while ((m = ATTR.exec(attrs))) {
    const name = (m[1] as string).toLowerCase();
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (name.startsWith('on')) return `event handler ${name} is not allowed (in <${element}>)`;
    if (!ATTRIBUTES.has(name)) return `attribute ${name} is not allowed (in <${element}>)`;
    all[name] = value;
    // Browsers drop control characters and spaces inside a scheme: "java\tscript:" is javascript:.
    // eslint-disable-next-line no-control-regex
    const plain = decodeEntities(value).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
    if (URL_ATTRIBUTES.has(name) && !SAFE_URL.test(plain)) return `${name}="${value.slice(0, 40)}" is not an http(s), mailto or relative URL`;
    if (name === 'style' && UNSAFE_CSS.test(plain)) return 'CSS may not use url(), expression(), @import or javascript:';
  }
  if (element === 'meta' && ('content' in all) && !('name' in all)) return '<meta> may only carry name and content (no http-equiv)';
  return undefined;
}

/** For zod schemas: `.superRefine(refineSafeHtml)` refuses the field with the reason. */
export function refineSafeHtml(value: string, ctx: { addIssue(issue: { code: 'custom'; message: string; input?: unknown }): void }): void {
  const problem = unsafeHtmlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
}
