// Explain: from / to / port, the verdict and the deciding policies; the query lives in the URL.
import { useMemo, useState } from 'preact/hooks';
import type { Snapshot } from '../../../src/console/view/snapshot.js';
import { modelFor } from '../../../src/console/view/cluster-subset.js';
import { explainQuery, namespacesOf, queryFromParams, queryToHash, type ExplainQuery } from '../../../src/console/view/explain.js';
import { Card } from '../components.js';
import { ExplainResult } from './explain-result.js';

export function ExplainPage(props: { state: Snapshot; params: URLSearchParams }) {
  const asked = queryFromParams(props.params);
  const [form, setForm] = useState<ExplainQuery>(asked);
  const answer = useMemo(() => {
    if (!asked.from && !asked.to) return undefined;
    return explainQuery(modelFor(props.state, namespacesOf(asked)), asked);
  }, [props.state, props.params.toString()]);
  const field = (name: keyof ExplainQuery, label: string, placeholder: string) => (
    <div class={`field${answer && !answer.ok && answer.field === name ? ' invalid' : ''}`}>
      <label for={`explain-${name}`}>{label}</label>
      <input id={`explain-${name}`} name={name} value={form[name]} placeholder={placeholder} onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
      {answer && !answer.ok && answer.field === name && (
        <small class="error" role="alert">
          {answer.error}
        </small>
      )}
    </div>
  );
  return (
    <div class="page" id="explain-page">
      <h1>Explain a flow</h1>
      <form
        class="explain-form"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = queryToHash(form);
        }}
      >
        {field('from', 'From', 'shop/backend-0 or shop/app=backend')}
        {field('to', 'To', 'shop/app=database or 169.254.169.254')}
        {field('port', 'Port', '5432, 53/UDP, http')}
        <button type="submit">Explain</button>
      </form>
      {answer?.ok && (
        <Card title="Answer">
          <ExplainResult explanation={answer.explanation} />
          <p class="small">
            Link to this answer: <code>{queryToHash(asked)}</code>
          </p>
        </Card>
      )}
    </div>
  );
}
