// Who performs an operation, as recorded in the audit log (never a token value).
export type Actor =
  | { kind: 'root' }
  | { kind: 'token'; tokenId: string; tenantId: string }
  | { kind: 'cli' }
  | { kind: 'system'; name: string };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'root':
      return 'root';
    case 'token':
      return `token:${actor.tokenId}`;
    case 'cli':
      return 'cli';
    case 'system':
      return `system:${actor.name}`;
  }
}
