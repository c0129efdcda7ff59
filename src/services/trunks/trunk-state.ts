// The workflow's persisted state: one record per step in `steps_json`. A step's intent (the names
// it will use, and `sent` once a provider write may have gone out) is written before its provider
// call and its result (sid, created or adopted) right after; the origination URLs telvault knows in
// `origination_json`. Stored-format relevant: add fields, do not rename.
import type { StoredRecord } from '../records/index.js';

export const TRUNK_STEPS = [
  'trunk',
  'credentialList',
  'credential',
  'association',
  'origination',
] as const;
export type TrunkStep = (typeof TRUNK_STEPS)[number];

export type Origin = 'created' | 'adopted';
/** `imported`: recorded by `telvault import`, adopted by the first setup. */
export type TrunkState = 'provisioning' | 'ready' | 'failed' | 'imported';

export interface StepError {
  code: string;
  providerCode: string | number | null;
  status: number | null;
}

export interface StepRecord {
  status: 'intent' | 'done' | 'failed';
  at: string;
  /** A provider write for this intent may have been sent (its answer may have been lost). */
  sent?: boolean;
  sid?: string;
  origin?: Origin;
  /** trunk: domainName, salt; credentialList: friendlyName; origination: sipUrl. */
  intent?: Record<string, string>;
  error?: StepError;
}

export type Steps = Partial<Record<TrunkStep, StepRecord>>;

export interface OriginationUrl {
  sid: string;
  sipUrl: string;
  origin: Origin;
}

export function stepsOf(r: StoredRecord): Steps {
  const text = r.row['steps_json'];
  return typeof text === 'string' ? (JSON.parse(text) as Steps) : {};
}

export function originationsOf(r: StoredRecord): OriginationUrl[] {
  const text = r.row['origination_json'];
  return typeof text === 'string' ? (JSON.parse(text) as OriginationUrl[]) : [];
}

export const str = (r: StoredRecord, column: string): string | null => {
  const v = r.row[column];
  return typeof v === 'string' ? v : null;
};

export function stateOf(r: StoredRecord): TrunkState {
  const s = str(r, 'state');
  return s === 'ready' || s === 'failed' || s === 'imported' ? s : 'provisioning';
}
