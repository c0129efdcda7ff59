// Response schemas of an OpenAPI 3.0 document as Ajv validators. OpenAPI 3.0 is not JSON Schema:
// `nullable: true` becomes a union with null, a boolean `exclusiveMinimum` becomes the number
// form, and `#/…` refs are pointed at the whole document registered under one id.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const DOC_ID = 'openapi.json';
type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (!isNode(value)) return value;
  const out: Node = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' ? `${DOC_ID}${child}` : convert(child);
  }
  if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true && typeof out.maximum === 'number') {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  } else if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string' && out.$ref === undefined) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

export interface OpenApiResponses {
  /** The validator for `method path` answering `status` (JSON body), or undefined if none. */
  validator(method: string, path: string, status: number): ValidateFunction | undefined;
  /** Whether the spec describes `status` for the operation at all. */
  describes(method: string, path: string, status: number): boolean;
}

export function loadOpenApiResponses(yamlText: string): OpenApiResponses {
  const doc = convert(parse(yamlText)) as Node;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addSchema(doc, DOC_ID);
  const cache = new Map<string, ValidateFunction | undefined>();

  const response = (method: string, path: string, status: number): Node | undefined => {
    const operation = ((doc.paths as Node)[path] as Node | undefined)?.[method.toLowerCase()];
    const responses = isNode(operation) ? (operation.responses as Node | undefined) : undefined;
    let found = responses?.[String(status)];
    while (isNode(found) && typeof found.$ref === 'string') {
      const pointer = found.$ref.slice(`${DOC_ID}#/`.length).split('/');
      found = pointer.reduce<unknown>((node, key) => (isNode(node) ? node[key] : undefined), doc);
    }
    return isNode(found) ? found : undefined;
  };

  return {
    describes: (method, path, status) => response(method, path, status) !== undefined,
    validator(method, path, status) {
      const key = `${method} ${path} ${status}`;
      if (!cache.has(key)) {
        const content = response(method, path, status)?.content as Node | undefined;
        const schema = (content?.['application/json'] as Node | undefined)?.schema;
        cache.set(key, isNode(schema) ? ajv.compile(schema) : undefined);
      }
      return cache.get(key);
    },
  };
}
