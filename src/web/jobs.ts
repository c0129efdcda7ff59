// A trunk job (repair, password rotation) followed to its end: GET …/jobs/:jobId every half
// second while it runs, each state handed to `onUpdate` for the progress bar.
import { tenantPath, type Api } from './api';
import type { Job } from './types';

const POLL_MS = 500;

export async function followJob(
  api: Api,
  tenantId: string,
  first: Job,
  onUpdate: (job: Job) => void,
): Promise<Job> {
  let job = first;
  onUpdate(job);
  while (job.state === 'pending' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await api.get<Job>(tenantPath(tenantId, `/jobs/${encodeURIComponent(job.id)}`));
    onUpdate(job);
  }
  return job;
}
