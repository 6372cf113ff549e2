import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { codesOfStatus } from '../../shared/domain/errors';

/**
 * The contract checker: is an HTTP answer what the OpenAPI document says this operation answers?
 * The one HTTP helper of the tests (test/support/http.ts) runs every response through it, so a
 * response that does not match its documented schema fails the test that received it; and
 * `routeTableGaps` (test/contract/route-contract.test.ts) fails for a route whose answers are not
 * described, so a new route cannot escape. Nothing here knows a route: it reads the document only.
 */

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface ResponseObject {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, ResponseObject>;
  requestBody?: { content?: Record<string, MediaType> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}

/** One answer as the client saw it. `url` is the path as sent, query string included. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  text: string;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

export interface Matched {
  doc: OpenApiDocument;
  template: string;
  method: string;
  operation: Operation;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * A path template as a regular expression: `{name}` is one non-empty segment (as API Gateway's
 * route keys and the router read it), everything else literal.
 */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (/^\{[^}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The path of a URL as sent: the query string and fragment cut off, a full URL reduced to its path. */
export function pathOf(url: string): string {
  const noFragment = url.split('#')[0] as string;
  const path = (noFragment.split('?')[0] as string).replace(/^[a-z]+:\/\/[^/]+/i, '');
  return path === '' ? '/' : path;
}

const mediaTypeOf = (contentType: string | null) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new ContractViolation(`the contract checker resolves only local references, not ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  if (node === undefined) throw new ContractViolation(`the document has no ${ref}`);
  return node;
}

/**
 * A schema with the document's `#/components/...` references put in place, so that it compiles on
 * its own; references inside the schema (`#/$defs/...`, `#`) stay relative to it.
 */
function inlineComponents(doc: OpenApiDocument, node: unknown, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineComponents(doc, n, seen));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string' && obj.$ref.startsWith('#/components/')) {
    if (seen.includes(obj.$ref)) throw new ContractViolation(`recursive component ${obj.$ref}: give it $defs inside its schema instead`);
    const { $ref, ...siblings } = obj;
    const target = inlineComponents(doc, resolvePointer(doc, $ref), [...seen, $ref]) as Record<string, unknown>;
    return Object.keys(siblings).length ? { allOf: [target], ...siblings } : target;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, inlineComponents(doc, v, seen)]));
}

function newAjv() {
  // strict: false because OpenAPI schemas carry `example` and other annotations ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('ipv4', /^(\d{1,3}\.){3}\d{1,3}$/);
  ajv.addFormat('ipv6', /^[0-9a-f:.]+$/i);
  ajv.addFormat('hostname', /^[a-z0-9.-]+$/i);
  return ajv;
}

/**
 * What a request the document has no operation for may answer (the router's own refusals): no
 * such route 404, a method the path does not have 405, no token 401 (the authorizer runs first),
 * too large 413. Each with the error body and the catalogue's codes of that status.
 */
const UNROUTED_STATUSES = [401, 404, 405, 413];
function errorEnvelope(status: number): Schema {
  return {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: codesOfStatus(status) },
          message: { type: 'string' },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
        },
        required: ['code', 'message'],
        additionalProperties: false,
      },
    },
    required: ['error'],
    additionalProperties: false,
  };
}

/** The value at a JSON pointer as ajv reports it (`/items/0/status`). */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

const describeBody = (text: string) => (text.length > 600 ? `${text.slice(0, 600)}…` : text || '(empty)');

export interface Contract {
  /** The operation the document has for this method and path (query strings ignored), as the router picks it. */
  match(method: string, url: string): Matched | { pathMatched: boolean };
  /** Throws ContractViolation when the answer is not what the document describes. */
  check(exchange: Exchange): void;
}

/**
 * A checker for one or more documents (the API's /openapi.json, the embedded runtime's /__dev
 * document). Paths are matched as the router matches them: the first template in the document's
 * order that matches the path and has the method, a literal path before a template.
 */
export function createContract(docs: readonly OpenApiDocument[]): Contract {
  const ajv = newAjv();
  // By schema object: the error responses every operation refers to compile once.
  const validators = new WeakMap<object, ValidateFunction>();
  const entries = docs.flatMap((doc) =>
    Object.keys(doc.paths).map((template, order) => ({
      doc,
      template,
      order,
      params: (template.match(/\{[^}/]+\}/g) ?? []).length,
      pattern: templatePattern(template),
    })),
  );
  // The router tries routes in table order; a literal path never loses to a template.
  entries.sort((a, b) => a.params - b.params || a.order - b.order);

  function validator(doc: OpenApiDocument, schema: Schema): ValidateFunction {
    let v = validators.get(schema);
    if (!v) {
      v = ajv.compile(inlineComponents(doc, schema) as Schema);
      validators.set(schema, v);
    }
    return v;
  }

  const envelopes = new Map<number, Schema>();
  const unrouted = (status: number) => envelopes.get(status) ?? envelopes.set(status, errorEnvelope(status)).get(status)!;

  function match(method: string, url: string): Matched | { pathMatched: boolean } {
    const path = pathOf(url);
    const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    let pathMatched = false;
    for (const e of entries) {
      if (!e.pattern.test(path)) continue;
      pathMatched = true;
      const operation = e.doc.paths[e.template]?.[m];
      if (operation) return { doc: e.doc, template: e.template, method: m, operation };
    }
    return { pathMatched };
  }

  function check(ex: Exchange): void {
    const where = `${ex.method.toUpperCase()} ${ex.url} answered ${ex.status}`;
    const fail = (why: string): never => {
      throw new ContractViolation(`${where}, which the OpenAPI document does not allow: ${why}\nbody: ${describeBody(ex.text)}`);
    };
    // A CORS preflight is answered by API Gateway's corsPreflight (and the local server), before
    // any route: no operation of the document, an empty 204.
    if (ex.method.toUpperCase() === 'OPTIONS' && ex.status === 204) {
      if (ex.text !== '') fail('a CORS preflight answer has no body');
      return;
    }
    const found = match(ex.method, ex.url);
    const mediaType = mediaTypeOf(ex.contentType);
    let response: ResponseObject;
    let doc: OpenApiDocument | undefined;
    let key: string;
    if (!('operation' in found)) {
      const expected = found.pathMatched ? [401, 405, 413] : UNROUTED_STATUSES;
      if (!expected.includes(ex.status)) {
        fail(found.pathMatched ? `the path has no ${ex.method.toUpperCase()} operation` : 'no operation has this path');
      }
      response = { content: { 'application/json': { schema: unrouted(ex.status) } } };
      key = `unrouted ${ex.status}`;
    } else {
      doc = found.doc;
      const responses = found.operation.responses;
      const declared = responses[String(ex.status)] ?? responses[`${String(ex.status)[0]}XX`] ?? responses.default;
      if (!declared) {
        fail(`${found.method.toUpperCase()} ${found.template} documents ${Object.keys(responses).join(', ')}, not ${ex.status}`);
      }
      response = (declared!.$ref ? resolvePointer(found.doc, declared!.$ref) : declared) as ResponseObject;
      key = `${found.method} ${found.template} ${ex.status}`;
    }
    const content = response.content;
    if (!content || Object.keys(content).length === 0) {
      if (ex.text !== '') fail('it is documented without a body');
      return;
    }
    if (ex.method.toUpperCase() === 'HEAD') return;
    const media = content[mediaType];
    if (!media) fail(`the body is ${mediaType || 'without a content type'}; documented: ${Object.keys(content).join(', ')}`);
    if (ex.text === '') fail(`it is documented with a ${mediaType} body, and the body is empty`);
    let value: unknown = ex.text;
    if (isJson(mediaType)) {
      try {
        value = JSON.parse(ex.text);
      } catch {
        fail(`the body is not valid JSON`);
      }
    }
    if (!media!.schema) fail(`${key} ${mediaType} has no schema in the document`);
    const validate = validator(doc ?? { paths: {} }, media!.schema!);
    if (!validate(value)) {
      const errors = (validate.errors ?? []).slice(0, 8).map((e) => {
        const extra = e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : '';
        const allowed = e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
        return `${e.instancePath || '(body)'} ${e.message}${extra}${allowed} (the value: ${describeBody(JSON.stringify(valueAt(value, e.instancePath)) ?? 'undefined').slice(0, 300)})`;
      });
      fail(`the body does not match the schema of ${key} ${mediaType}:\n  ${errors.join('\n  ')}`);
    }
  }

  return { match, check };
}

/** Keywords that say nothing about what a value may be. */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

/**
 * The places in a schema that accept anything: an empty schema (`{}`, what z.unknown() and z.any()
 * give), an open object (no `additionalProperties` or `additionalProperties: true`), an array
 * without `items`. Each as a JSON path from the schema's root.
 */
export function openPlaces(schema: unknown, at = '$'): string[] {
  if (schema === true) return [at];
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  const meaningful = Object.keys(s).filter((k) => !ANNOTATIONS.has(k));
  if (meaningful.length === 0) return [at];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if ((types.includes('object') || s.properties) && !('additionalProperties' in s) && !('unevaluatedProperties' in s)) out.push(`${at} (an open object)`);
  if (s.additionalProperties === true) out.push(`${at} (additionalProperties: true)`);
  if (types.includes('array') && !('items' in s) && !('prefixItems' in s)) out.push(`${at} (an array of anything)`);
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' || k === '$defs' || k === 'patternProperties') {
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) out.push(...openPlaces(sub, `${at}.${name}`));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'propertyNames' || k === 'not' || k === 'contains') {
      if (typeof v === 'object') out.push(...openPlaces(v, `${at}.${k === 'items' ? '[]' : k}`));
    } else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'prefixItems') {
      (v as unknown[]).forEach((sub, i) => out.push(...openPlaces(sub, `${at}.${k}[${i}]`)));
    }
  }
  return out;
}

export interface TableRoute {
  method: string;
  path: string;
  status: number;
  response: unknown;
  body?: unknown;
  csv?: true;
  otherResponses?: Record<number, { schema: unknown }>;
}

/**
 * What the document leaves undescribed for each route of the table: the route has no operation, a
 * concrete path of it is matched to another operation, its success status is missing or (but for
 * 204) has no JSON body, its CSV alternative is missing, a body schema (success, other successes,
 * request) is open somewhere, or it documents no 4xx. `openBodies` names the few routes whose
 * body is open by nature (the document itself), with the reason.
 */
export function routeTableGaps(doc: OpenApiDocument, routes: readonly TableRoute[], openBodies: Record<string, string> = {}): string[] {
  const contract = createContract([doc]);
  const gaps: string[] = [];
  for (const r of routes) {
    const id = `${r.method} ${r.path}`;
    const op = doc.paths[r.path]?.[r.method.toLowerCase()];
    if (!op) {
      gaps.push(`${id}: not in the document`);
      continue;
    }
    const concrete = r.path.replace(/\{(\w+)\}/g, (_m, n: string) => `sample-${n}`);
    const found = contract.match(r.method, `${concrete}?probe=1`);
    if (!('operation' in found) || found.template !== r.path) {
      gaps.push(`${id}: ${concrete} is matched to ${'template' in found ? found.template : 'nothing'}`);
    }
    const resolve = (res: ResponseObject | undefined) => (res?.$ref ? (resolvePointer(doc, res.$ref) as ResponseObject) : res);
    const successes: [number, boolean][] = [[r.status, r.status !== 204 && r.response !== null], ...Object.entries(r.otherResponses ?? {}).map(([s, o]) => [Number(s), o.schema !== null] as [number, boolean])];
    for (const [status, hasBody] of successes) {
      const res = resolve(op.responses[String(status)]);
      if (!res) {
        gaps.push(`${id}: its ${status} is not documented`);
        continue;
      }
      const json = res.content?.['application/json'];
      if (!hasBody) {
        if (status !== 204) gaps.push(`${id}: its ${status} is documented without a body (only a 204 has none)`);
        if (res.content && Object.keys(res.content).length) gaps.push(`${id}: its ${status} has no body but is documented with one`);
        continue;
      }
      if (!json?.schema) {
        gaps.push(`${id}: its ${status} has no JSON body described`);
        continue;
      }
      if (!openBodies[id]) for (const place of openPlaces(json.schema)) gaps.push(`${id}: its ${status} body is open at ${place}`);
    }
    if (r.csv && !resolve(op.responses[String(r.status)])?.content?.['text/csv']) gaps.push(`${id}: answers text/csv, not documented`);
    if (r.body) {
      const req = op.requestBody?.content?.['application/json']?.schema;
      if (!req) gaps.push(`${id}: its request body is not documented`);
      else for (const place of openPlaces(req)) gaps.push(`${id}: its request body is open at ${place}`);
    }
    if (!Object.keys(op.responses).some((s) => s.startsWith('4'))) gaps.push(`${id}: documents no error response`);
  }
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const m of Object.keys(ops).filter((k) => HTTP_METHODS.includes(k))) {
      if (!routes.some((r) => r.path === template && r.method.toLowerCase() === m)) gaps.push(`${m.toUpperCase()} ${template}: documented, not in the route table`);
    }
  }
  return gaps;
}
