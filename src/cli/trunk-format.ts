// How `telvault trunk …` prints a trunk and a job (`--json`: the views as the API answers them).
// Only what the views hold: a SIP password is never in them.
import type { JobView, TrunkView } from '../services/trunks/index.js';
import type { CliIo } from './io.js';

export function summary(v: TrunkView): string {
  const lines = [
    `state        ${v.state}${v.failedStep === null ? '' : ` (failed at ${v.failedStep}: ${v.error?.code ?? '?'}${v.error?.providerCode == null ? '' : `, provider code ${String(v.error.providerCode)}`})`}`,
    `trunk        ${v.trunkSid ?? '-'} ${v.domainName ?? ''}`,
    `list         ${v.credentialList === null ? '-' : `${v.credentialList.sid} (${v.credentialList.origin})`}`,
    `credential   ${v.credential === null ? '-' : `${v.credential.sid} ${v.credential.username} (${v.credential.origin}, password held by telvault)`}`,
    `origination  ${v.originationUrls.map((o) => `${o.sipUrl} (${o.origin})`).join(', ') || '-'}`,
    `numbers      ${v.numbers}`,
    ...v.steps.map(
      (s) => `  ${s.name.padEnd(15)}${s.status}${s.origin === undefined ? '' : ` ${s.origin}`}`,
    ),
    ...v.notes.map((n) => `note: ${n}`),
    ...(v.drift ?? []).map((d) => `drift: ${d.resource}: ${d.problem}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function printJob(io: CliIo, job: JobView, json: boolean): void {
  if (json) {
    io.write(`${JSON.stringify(job, null, 2)}\n`);
    return;
  }
  io.write(`job ${job.id} ${job.state}${job.error === null ? '' : `: ${job.error}`}\n`);
  const result = job.result as {
    results?: { phoneNumber: string; action: string; reason?: string }[];
  } | null;
  for (const r of result?.results ?? []) {
    io.write(`${r.phoneNumber}\t${r.action}${r.reason === undefined ? '' : `\t${r.reason}`}\n`);
  }
  if (result !== null) {
    const { results: _r, ...counts } = result as Record<string, unknown>;
    io.write(`${JSON.stringify(counts)}\n`);
  }
}
