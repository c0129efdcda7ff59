// Source records from a file's text: a JSON array, NDJSON, MongoDB Extended JSON as `mongoexport`
// writes it (one document a line, or `--jsonArray`), or CSV with a header row (SQL table dumps).
// Extended JSON types become plain values ($oid: its hex, $date: ISO 8601, numbers: numbers). A
// file that cannot be read is ERR_IMPORT_INPUT_INVALID naming the file and line, never its text.
import { EJSON } from 'bson';
import { parse as parseCsv } from 'csv-parse/sync';
import { TelvaultError } from '../../errors.js';
import { lineOf, type InputFormat } from './mapping-schema.js';
import './errors.js';

export type SourceRecord = Readonly<Record<string, unknown>>;

function inputError(message: string): TelvaultError {
  return new TelvaultError('ERR_IMPORT_INPUT_INVALID', message);
}

/** Extended JSON values as plain JSON values. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  const v = value as { _bsontype?: unknown; toHexString?: () => string; toString: () => string };
  if (typeof v._bsontype === 'string') {
    return typeof v.toHexString === 'function' ? v.toHexString() : v.toString();
  }
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, plain(x)]));
}

function asRecord(value: unknown, where: string): SourceRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw inputError(`${where}: expected an object (one record)`);
  }
  return value as SourceRecord;
}

function parseJson(text: string, ejson: boolean): unknown {
  return ejson ? plain(EJSON.parse(text, { relaxed: true })) : JSON.parse(text);
}

function readLines(text: string, file: string, ejson: boolean): SourceRecord[] {
  const out: SourceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = parseJson(line, ejson);
    } catch {
      throw inputError(`${file}: line ${i + 1}: not valid ${ejson ? 'Extended JSON' : 'JSON'}`);
    }
    out.push(asRecord(value, `${file}: line ${i + 1}`));
  }
  return out;
}

/** The line of a syntax error (EJSON's own errors carry no position: JSON.parse finds it). */
function syntaxLine(err: unknown, text: string): string {
  const line = lineOf(err, text);
  if (line !== '') return line;
  try {
    JSON.parse(text);
    return '';
  } catch (jsonErr) {
    const found = lineOf(jsonErr, text);
    if (found !== '') return found;
  }
  // No position in the message (V8 gives none for some errors): with one record a line, as
  // `mongoexport --jsonArray` writes them, the first line that is not JSON on its own.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const piece = (lines[i] ?? '')
      .trim()
      .replace(/^\[/, '')
      .replace(/,?\]?$/, '')
      .trim();
    if (piece === '') continue;
    try {
      JSON.parse(piece);
    } catch {
      return ` (line ${i + 1})`;
    }
  }
  return '';
}

function readArray(text: string, file: string, ejson: boolean): SourceRecord[] {
  let value: unknown;
  try {
    value = parseJson(text, ejson);
  } catch (err) {
    throw inputError(
      `${file}: not valid ${ejson ? 'Extended JSON' : 'JSON'}${syntaxLine(err, text)}`,
    );
  }
  if (!Array.isArray(value)) throw inputError(`${file}: expected a JSON array of records`);
  return value.map((v, i) => asRecord(v, `${file}: record ${i + 1}`));
}

function readCsv(text: string, file: string): SourceRecord[] {
  try {
    return parseCsv<SourceRecord>(text, {
      columns: true,
      skip_empty_lines: true,
      bom: true,
      trim: false,
    });
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    const code = (err as { code?: unknown }).code;
    throw inputError(
      `${file}: not valid CSV${typeof line === 'number' ? ` (line ${line})` : ''}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

/** The records of one input file's text; `file` names it in errors. */
export function readRecords(text: string, format: InputFormat, file: string): SourceRecord[] {
  switch (format) {
    case 'csv':
      return readCsv(text, file);
    case 'json':
    case 'ejson': {
      const ejson = format === 'ejson';
      return text.trimStart().startsWith('[')
        ? readArray(text, file, ejson)
        : readLines(text, file, ejson);
    }
    case 'ndjson':
      return readLines(text, file, false);
  }
}
