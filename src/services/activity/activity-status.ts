// The lifecycle of a call, a message and an email, as telvault records it whatever the provider:
// each provider's status is mapped to one of ours, and a status only moves forward (a replayed or
// late callback with an earlier status changes nothing). Terminal statuses share the last rank:
// the first terminal status recorded stays.
export type ActivityKind = 'call' | 'message' | 'email';

/** Twilio's call statuses, which Exotel's and Retell's are mapped onto. */
export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
] as const;
/** SendGrid accepts a message (202) or not: what happens after is in its event webhook. */
export const EMAIL_STATUSES = ['queued', 'accepted', 'failed'] as const;

const RANKS: Record<ActivityKind, Readonly<Record<string, number>>> = {
  call: {
    queued: 0,
    initiated: 1,
    ringing: 2,
    'in-progress': 3,
    completed: 4,
    busy: 4,
    failed: 4,
    'no-answer': 4,
    canceled: 4,
  },
  message: { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3 },
  email: { queued: 0, accepted: 1, failed: 1 },
};

/** The rank of a status of ours, or undefined for a status that is not one. */
export function statusRank(kind: ActivityKind, status: string): number | undefined {
  return Object.hasOwn(RANKS[kind], status) ? RANKS[kind][status] : undefined;
}

/** Whether moving from `from` (rank) to `to` is forward: a later stage, never a sideways move. */
export function movesForward(kind: ActivityKind, fromRank: number, to: string): boolean {
  const rank = statusRank(kind, to);
  return rank !== undefined && rank > fromRank;
}

// Retell's call_status (registered, not_connected, ongoing, ended, error) and Exotel's Status
// (queued, in-progress, completed, failed, busy, no-answer), as ours.
const RETELL: Readonly<Record<string, string>> = {
  registered: 'initiated',
  not_connected: 'failed',
  ongoing: 'in-progress',
  ended: 'completed',
  error: 'failed',
};

export function callStatusOf(provider: string, status: string): string | undefined {
  const s = status.trim().toLowerCase();
  const ours = provider === 'retell' ? RETELL[s] : s;
  return ours !== undefined && statusRank('call', ours) !== undefined ? ours : undefined;
}
