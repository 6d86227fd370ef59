// An explain answer: the verdict, each side's decision and the deciding rules, as text.
import type { Explanation } from '../../../src/analysis/explain.js';
import { formatExplanation } from '../../../src/analysis/explain.js';
import { Badge } from '../components.js';

export function ExplainResult(props: { explanation: Explanation }) {
  const e = props.explanation;
  return (
    <div class="explain-result" data-verdict={e.allowed ? 'allowed' : 'denied'}>
      <p>
        <Badge kind={e.allowed ? 'ok' : 'bad'}>{e.allowed ? 'ALLOWED' : 'DENIED'}</Badge> {e.from} → {e.to} on {e.traffic.port}/{e.traffic.protocol}
      </p>
      <pre class="explain-text">{formatExplanation(e)}</pre>
    </div>
  );
}
