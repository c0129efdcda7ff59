import type { JSX } from 'preact';
import type { Job } from '../types';

/** A job's state and progress, announced as it moves. */
export function JobProgress(props: { job: Job; label: string }): JSX.Element {
  const { job } = props;
  const { done, total } = job.progress;
  return (
    <div class="job" role="status" data-testid="job-progress">
      <label>
        {props.label}: {job.state}
        {total > 0 ? ` · ${done} of ${total}` : ''}
        <progress
          max={total > 0 ? total : 1}
          value={total > 0 ? done : job.state === 'done' ? 1 : 0}
        />
      </label>
      {job.error !== null && <p class="field-error">{job.error}</p>}
    </div>
  );
}
