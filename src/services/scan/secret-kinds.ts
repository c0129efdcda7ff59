// What `telvault scan` looks for: one entry per kind of finding, which is also its SARIF rule.
// The ids are part of the output (JSON, SARIF ruleId, fingerprints): do not change them.

export const SECRET_KINDS = [
  'twilio-auth-token',
  'twilio-api-key-secret',
  'sendgrid-api-key',
  'retell-api-key',
  'exotel-api-key',
  'exotel-api-token',
  'telvault-token',
  'telvault-root-token',
  'telvault-master-key',
  'private-key',
  'env-file',
] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export interface SecretKindInfo {
  /** Short title (SARIF rule shortDescription, the text output). */
  title: string;
  /** What matched and what to do (SARIF rule help). */
  help: string;
}

const ROTATE = 'Rotate it at the provider, store it in telvault, and remove it from the history.';

export const SECRET_KIND_INFO: Readonly<Record<SecretKind, SecretKindInfo>> = {
  'twilio-auth-token': {
    title: 'Twilio auth token',
    help: `32 hex digits next to a Twilio account SID (AC…). ${ROTATE}`,
  },
  'twilio-api-key-secret': {
    title: 'Twilio API key secret',
    help: `A 32-character secret next to a Twilio API key SID (SK…). ${ROTATE}`,
  },
  'sendgrid-api-key': {
    title: 'SendGrid API key',
    help: `A SendGrid key (SG.<id>.<secret>). ${ROTATE}`,
  },
  'retell-api-key': {
    title: 'Retell API key',
    help: `A Retell key (key_ followed by hex, or letters and digits near "retell"). ${ROTATE}`,
  },
  'exotel-api-key': {
    title: 'Exotel API key',
    help: `An Exotel API key (in an https://key:token@…exotel.com URL or an exotel key setting). ${ROTATE}`,
  },
  'exotel-api-token': {
    title: 'Exotel API token',
    help: `An Exotel API token (in an https://key:token@…exotel.com URL or an exotel token setting). ${ROTATE}`,
  },
  'telvault-token': {
    title: 'telvault API token',
    help: 'A telvault tenant API token (tvk_…). Revoke it with `telvault token revoke` and mint a new one.',
  },
  'telvault-root-token': {
    title: 'telvault root token',
    help: 'A telvault root token (tvr_…). Replace TELVAULT_ROOT_TOKEN on every node.',
  },
  'telvault-master-key': {
    title: 'telvault master key',
    help: 'TELVAULT_MASTER_KEY set to a 32-byte base64 key. Rotate the master key (`telvault keys`).',
  },
  'private-key': {
    title: 'Private key',
    help: 'A PEM private key block with its key material. Replace the key pair.',
  },
  'env-file': {
    title: '.env file not ignored by git',
    help: 'A .env file that git tracks or would add. Add it to .gitignore (and untrack it).',
  },
};
