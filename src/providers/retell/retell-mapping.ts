// Our camelCase inputs ↔ Retell's snake_case wire fields. Note the asymmetry Retell has: import
// takes `sip_trunk_auth_username/password`, update takes `auth_username/auth_password`.
import type Retell from 'retell-sdk';
import type { PhoneNumberResponse } from 'retell-sdk/resources/phone-number';
import type {
  RetellAgentWeight,
  RetellImportInput,
  RetellNumberView,
  RetellUpdateInput,
} from './retell-types.js';

const toAgents = (agents: RetellAgentWeight[] | null | undefined) =>
  agents?.map((a) => ({
    agent_id: a.agentId,
    weight: a.weight,
    ...(a.agentVersion === undefined ? {} : { agent_version: a.agentVersion }),
  })) ?? null;

/**
 * The optional fields import and update send alike: transport, nickname, agents and webhook (an
 * update may also clear them with null; an import never sends a null nickname).
 */
function optionalFields<Nickname extends string | null>(input: {
  transport?: RetellImportInput['transport'];
  nickname?: Nickname;
  inboundAgents?: RetellAgentWeight[] | null;
  outboundAgents?: RetellAgentWeight[] | null;
  inboundWebhookUrl?: string | null;
}) {
  return {
    ...(input.transport === undefined ? {} : { transport: input.transport }),
    ...(input.nickname === undefined ? {} : { nickname: input.nickname }),
    ...(input.inboundAgents === undefined ? {} : { inbound_agents: toAgents(input.inboundAgents) }),
    ...(input.outboundAgents === undefined
      ? {}
      : { outbound_agents: toAgents(input.outboundAgents) }),
    ...(input.inboundWebhookUrl === undefined
      ? {}
      : { inbound_webhook_url: input.inboundWebhookUrl }),
  };
}

export function importBody(input: RetellImportInput): Retell.PhoneNumberImportParams {
  return {
    phone_number: input.phoneNumber,
    termination_uri: input.terminationUri,
    ...(input.sipAuth === undefined
      ? {}
      : {
          sip_trunk_auth_username: input.sipAuth.username,
          sip_trunk_auth_password: input.sipAuth.password.reveal(),
        }),
    ...optionalFields(input),
  };
}

export function updateBody(input: RetellUpdateInput): Retell.PhoneNumberUpdateParams {
  return {
    ...(input.terminationUri === undefined ? {} : { termination_uri: input.terminationUri }),
    ...(input.sipAuth === undefined
      ? {}
      : { auth_username: input.sipAuth.username, auth_password: input.sipAuth.password.reveal() }),
    ...optionalFields(input),
  };
}

function fromAgents(
  agents:
    { agent_id: string; weight: number; agent_version?: string | number }[] | null | undefined,
): RetellAgentWeight[] {
  return (agents ?? []).map((a) => ({
    agentId: a.agent_id,
    weight: a.weight,
    ...(a.agent_version === undefined ? {} : { agentVersion: Number(a.agent_version) }),
  }));
}

export function toView(n: PhoneNumberResponse): RetellNumberView {
  const sip = n.sip_outbound_trunk_config ?? null;
  return {
    phoneNumber: n.phone_number,
    phoneNumberType: n.phone_number_type,
    nickname: n.nickname ?? null,
    terminationUri: sip?.termination_uri ?? null,
    authUsername: sip?.auth_username ?? null,
    transport: sip?.transport ?? null,
    inboundAgents: fromAgents(n.inbound_agents),
    outboundAgents: fromAgents(n.outbound_agents),
    lastModifiedAt: new Date(n.last_modification_timestamp),
  };
}
