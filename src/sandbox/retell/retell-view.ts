// How a stored Retell number is served: `PhoneNumberResponse` of the Retell OpenAPI, with
// `sip_outbound_trunk_config` carrying the username but never the password (providers.md §4).
import type { RetellNumber, RetellNumberFields } from './retell-store.js';

export interface AgentWeight {
  agent_id: string;
  weight: number;
  agent_version?: number;
}

export function toPhoneNumberResponse(number: RetellNumber): Record<string, unknown> {
  const { sip } = number;
  return {
    ...number.fields,
    sip_outbound_trunk_config:
      sip === null
        ? null
        : {
            termination_uri: sip.terminationUri,
            auth_username: sip.authUsername,
            transport: sip.transport,
          },
  };
}

/** `+14155550100` → `+1 (415) 555-0100`; other numbers are shown as given. */
export function prettyPhoneNumber(phoneNumber: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return m === null ? phoneNumber : `+1 (${m[1]}) ${m[2]}-${m[3]}`;
}

export function areaCodeOf(phoneNumber: string): number | undefined {
  const m = /^\+1(\d{3})\d{7}$/.exec(phoneNumber);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

type Direction = 'inbound' | 'outbound';

/**
 * Applies both generations of agent binding (providers.md §4: the deprecated `*_agent_id` /
 * `*_agent_version` and the current `*_agents` lists), keeping the two views consistent.
 */
export function applyAgentFields(
  fields: RetellNumberFields,
  body: Record<string, unknown>,
  direction: Direction,
): void {
  const listKey = `${direction}_agents`;
  const idKey = `${direction}_agent_id`;
  const versionKey = `${direction}_agent_version`;
  if (listKey in body) {
    const agents = (body[listKey] as AgentWeight[] | null) ?? null;
    fields[listKey] = agents;
    if (!(idKey in body)) {
      const single = agents?.length === 1 ? agents[0] : undefined;
      fields[idKey] = single?.agent_id ?? null;
      fields[versionKey] = single?.agent_version ?? null;
    }
  }
  if (idKey in body) {
    const id = (body[idKey] as string | null) ?? null;
    const version = (body[versionKey] as number | null | undefined) ?? null;
    fields[idKey] = id;
    fields[versionKey] = version;
    if (!(listKey in body)) {
      fields[listKey] =
        id === null
          ? null
          : [{ agent_id: id, weight: 1, ...(version === null ? {} : { agent_version: version }) }];
    }
  } else if (versionKey in body) {
    fields[versionKey] = body[versionKey] ?? null;
  }
}
