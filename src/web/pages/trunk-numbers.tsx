// The numbers on the trunk, and buying one more onto it (Twilio number → trunk → Retell). A
// purchase spends money: each submission carries its own Idempotency-Key, and a retry of the
// same submission (after a network failure) reuses it, so it is never bought twice.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, tenantPath } from '../api';
import { SelectField, TextField } from '../components/fields';
import { ErrorNotice, Loading } from '../components/notices';
import { useAction, useLoad } from '../hooks';
import type { Phone } from '../types';
import type { TenantPageProps } from './props';

const TYPES = [
  { value: 'local', label: 'Local' },
  { value: 'mobile', label: 'Mobile' },
  { value: 'tollFree', label: 'Toll-free' },
] as const;

export function TrunkNumbers(
  props: TenantPageProps & { onBought: (p: Phone) => void; canBuy: boolean; canList: boolean },
): JSX.Element {
  const { api } = props.session;
  const list = useLoad(async () => {
    if (!props.canList) return [];
    const all: Phone[] = [];
    let cursor: string | null = null;
    // The trunk's numbers are few: page through the Twilio phones and keep those on it.
    for (let i = 0; i < 20; i++) {
      const page: { phones: Phone[]; nextCursor: string | null } = await api.get(
        tenantPath(props.tenantId, '/phones') + query({ cursor, limit: 100 }),
      );
      all.push(...page.phones.filter((p) => p.twilio?.onTrunk === true));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    return all;
  }, [props.tenantId]);
  const [areaCode, setAreaCode] = useState('');
  const [country, setCountry] = useState('US');
  const [type, setType] = useState<'local' | 'mobile' | 'tollFree'>('local');
  const [label, setLabel] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const action = useAction();
  const buy = (e: Event): void => {
    e.preventDefault();
    action.run(async () => {
      const body: Record<string, string> = { country: country.trim().toUpperCase(), type };
      if (areaCode.trim() !== '') body['areaCode'] = areaCode.trim();
      if (label.trim() !== '') body['label'] = label.trim();
      const p = await api.send<Phone>('POST', tenantPath(props.tenantId, '/phones/purchase'), {
        body,
        headers: { 'idempotency-key': idempotencyKey },
      });
      setIdempotencyKey(crypto.randomUUID());
      setAreaCode('');
      setLabel('');
      list.reload();
      props.onBought(p);
    });
  };
  return (
    <section aria-labelledby="trunk-numbers">
      <h2 id="trunk-numbers">Numbers on the trunk</h2>
      {!props.canList && <p>This token cannot list phones (phones:read).</p>}
      {list.loading && list.data === undefined && <Loading />}
      <ErrorNotice error={list.error} />
      {list.data !== undefined &&
        props.canList &&
        (list.data.length === 0 ? (
          <p>No numbers on the trunk yet.</p>
        ) : (
          <ul data-testid="trunk-number-list">
            {list.data.map((p) => (
              <li key={p.id}>
                <code>{p.number}</code> <bdi>{p.label ?? ''}</bdi> · Retell agents in{' '}
                {p.retell.inboundAgentId ?? '—'}, out {p.retell.outboundAgentId ?? '—'}
              </li>
            ))}
          </ul>
        ))}
      {props.canBuy && (
        <form class="card" aria-labelledby="trunk-buy" onSubmit={buy}>
          <h3 id="trunk-buy">Buy a number onto the trunk</h3>
          <TextField
            label="Country"
            name="country"
            required
            value={country}
            onInput={setCountry}
            error={action.fieldError('country')}
          />
          <SelectField
            label="Type"
            name="type"
            value={type}
            options={TYPES}
            onChange={setType}
            error={action.fieldError('type')}
          />
          <TextField
            label="Area code"
            name="areaCode"
            value={areaCode}
            onInput={setAreaCode}
            hint="Optional."
            error={action.fieldError('areaCode')}
          />
          <TextField
            label="Label"
            name="label"
            value={label}
            onInput={setLabel}
            error={action.fieldError('label')}
          />
          <ErrorNotice error={action.error} />
          <button type="submit" disabled={action.busy}>
            Buy number
          </button>
        </form>
      )}
    </section>
  );
}
