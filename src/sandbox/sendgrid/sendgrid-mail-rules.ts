// The request rules of `POST /v3/mail/send` the sandbox enforces, with SendGrid's messages and
// `field` paths. SendGrid reports every problem of a request at once.
export interface SendgridProblem {
  message: string;
  field: string | null;
  help: string | null;
}

export interface AcceptedMail {
  from: string;
  to: string[];
  subject: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';

/**
 * The top-level fields of a v3 mail/send body (SendGrid's API reference). Any other is refused,
 * naming it, as a problem of its own: SendGrid never says one is ignored.
 */
const MAIL_FIELDS = new Set([
  'personalizations',
  'from',
  'reply_to',
  'reply_to_list',
  'subject',
  'content',
  'attachments',
  'template_id',
  'headers',
  'categories',
  'custom_args',
  'send_at',
  'batch_id',
  'asm',
  'ip_pool_name',
  'mail_settings',
  'tracking_settings',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mailSendProblems(
  input: unknown,
): { ok: true; mail: AcceptedMail } | { ok: false; problems: SendgridProblem[] } {
  const problems: SendgridProblem[] = [];
  const add = (message: string, field: string | null, anchor?: string): void => {
    problems.push({ message, field, help: anchor === undefined ? null : `${HELP}#${anchor}` });
  };
  const body: Obj = isObj(input) ? input : {};
  for (const key of Object.keys(body)) {
    if (!MAIL_FIELDS.has(key)) add(`${key} is not a field of mail/send.`, key);
  }
  const hasTemplate = typeof body.template_id === 'string' && body.template_id !== '';

  const personalizations = Array.isArray(body.personalizations) ? body.personalizations : [];
  const to: string[] = [];
  let everySubject = personalizations.length > 0;
  if (personalizations.length === 0) {
    add(
      'The personalizations field is required and must have at least one personalization.',
      'personalizations',
      '-Personalizations-Errors',
    );
  }
  personalizations.forEach((p: unknown, i) => {
    const recipients = isObj(p) && Array.isArray(p.to) ? p.to : [];
    if (!isObj(p) || typeof p.subject !== 'string' || p.subject === '') everySubject = false;
    if (recipients.length === 0) {
      add(
        'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        `personalizations.${i}.to`,
        'message.personalizations.to',
      );
    }
    recipients.forEach((r: unknown, j) => {
      const email = isObj(r) ? r.email : undefined;
      if (typeof email !== 'string' || !EMAIL.test(email)) {
        add(
          'Does not contain a valid address.',
          `personalizations.${i}.to.${j}.email`,
          'message.personalizations.to',
        );
      } else to.push(email);
    });
  });

  const fromEmail = isObj(body.from) ? body.from.email : undefined;
  if (typeof fromEmail !== 'string' || !EMAIL.test(fromEmail)) {
    add(
      'The from object must be provided for every email send. It is an object that requires an email parameter, but may also contain a name parameter.',
      'from.email',
      'message.from',
    );
  }
  const subject = typeof body.subject === 'string' ? body.subject : '';
  if (subject === '' && !everySubject && !hasTemplate) {
    add(
      'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
      'subject',
      'message.subject',
    );
  }
  const content = Array.isArray(body.content) ? body.content : [];
  const validContent = content.some(
    (c: unknown) =>
      isObj(c) && typeof c.type === 'string' && typeof c.value === 'string' && c.value !== '',
  );
  if (!validContent && !hasTemplate) {
    add(
      'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
      'content',
      'message.content',
    );
  }

  if (problems.length > 0 || typeof fromEmail !== 'string') return { ok: false, problems };
  return { ok: true, mail: { from: fromEmail, to, subject } };
}
