// Validates emulator responses against Twilio's official OpenAPI response schemas with Ajv.
// The specs are read from ../shared/specs/twilio (never copied into the project).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SPEC_DIR = fileURLToPath(new URL('../../../../shared/specs/twilio/', import.meta.url));
export const TWILIO_SPECS_PRESENT = existsSync(`${SPEC_DIR}twilio_trunking_v1.json`);

interface Spec {
  paths: Record<
    string,
    Record<
      string,
      { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
    >
  >;
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema `type: [t, 'null']` (dropped where no type). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value);
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  delete out.nullable;
  return out;
}

const RFC2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface SpecOperation {
  host: 'api' | 'trunking';
  specPath: string;
  method: string;
  statuses: string[];
  validate: ValidateFunction | undefined;
}

export class TwilioSpecValidator {
  readonly #ops: {
    host: 'api' | 'trunking';
    specPath: string;
    regex: RegExp;
    statics: number;
    spec: Spec;
  }[] = [];
  readonly #ajv: Record<'api' | 'trunking', Ajv>;
  readonly #ids = { api: 'twilio_api_v2010', trunking: 'twilio_trunking_v1' } as const;

  constructor() {
    const make = (host: 'api' | 'trunking'): Ajv => {
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
      const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
      addFormats(ajv);
      // v2010 `*_uri` fields are relative paths although the spec says `format: uri`.
      if (host === 'api')
        ajv.addFormat('uri', (v: string) => v.startsWith('/') || /^https?:\/\//.test(v));
      ajv.addFormat('date-time-rfc-2822', RFC2822);
      if (host === 'trunking') ajv.addFormat('date-time', ISO8601);
      for (const lenient of [
        'phone-number',
        'uri-map',
        'http-method',
        'currency',
        'iso-country-code',
        'phone-number-capabilities',
        'int32',
        'int64',
        'endpoint',
        'ice-server',
        'twiml',
      ]) {
        ajv.addFormat(lenient, true);
      }
      return ajv;
    };
    this.#ajv = { api: make('api'), trunking: make('trunking') };
    for (const host of ['api', 'trunking'] as const) {
      const spec = toJsonSchema(
        JSON.parse(readFileSync(`${SPEC_DIR}${this.#ids[host]}.json`, 'utf8')),
      ) as Spec;
      this.#ajv[host].addSchema(spec, this.#ids[host]);
      for (const specPath of Object.keys(spec.paths)) {
        const pattern = specPath.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
        this.#ops.push({
          host,
          specPath,
          regex: new RegExp(`^${pattern}$`),
          statics: specPath.replace(/\{[^}]+\}/g, '').length,
          spec,
        });
      }
    }
  }

  /** The spec operation for a canonical path (most specific match), or undefined. */
  find(host: 'api' | 'trunking', path: string, method: string): SpecOperation | undefined {
    const candidates = this.#ops.filter((o) => o.host === host && o.regex.test(path));
    candidates.sort((a, b) => b.statics - a.statics);
    const op = candidates[0];
    const m = method.toLowerCase();
    const operation = op?.spec.paths[op.specPath]?.[m];
    if (op === undefined || operation === undefined) return undefined;
    const responses = operation.responses ?? {};
    const statuses = Object.keys(responses);
    const success = statuses.find((s) => s.startsWith('2'));
    const hasSchema =
      success !== undefined &&
      responses[success]?.content?.['application/json']?.schema !== undefined;
    const pointer = `${this.#ids[host]}#/paths/${op.specPath.replace(/~/g, '~0').replace(/\//g, '~1')}/${m}/responses/${success}/content/application~1json/schema`;
    return {
      host,
      specPath: op.specPath,
      method: m,
      statuses,
      validate: hasSchema ? this.#ajv[host].compile({ $ref: pointer }) : undefined,
    };
  }
}
