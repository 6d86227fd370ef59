// One watch request: events as (type, object) until the server ends the stream, the signal aborts it, or
// its deadline passes (a partition that keeps the connection open but silent must not hang an informer).
import type { KubeClient } from './client.js';
import { boundedSignal } from './abort.js';
import { apiErrorFrom } from './errors.js';

/** Beyond the watch's own timeoutSeconds, how long a stream may stay open before it is cut. */
const DEADLINE_SLACK_MS = 30_000;

export async function watchStream(
  client: KubeClient,
  path: string,
  query: Record<string, string | number | boolean>,
  signal: AbortSignal,
  onEvent: (type: string, object: unknown) => void,
): Promise<void> {
  const timeoutSeconds = typeof query.timeoutSeconds === 'number' ? query.timeoutSeconds : 300;
  const bound = boundedSignal(timeoutSeconds * 1000 + DEADLINE_SLACK_MS, [signal]);
  const url = client.url(path, { ...query, watch: true });
  let failure: unknown;
  const answer = await client.transport.stream(url, bound.signal, (line) => {
    if (failure) return;
    try {
      const event = JSON.parse(line) as { type?: string; object?: unknown };
      onEvent(event.type ?? '', event.object);
    } catch (err) {
      failure = err;
    }
  })
    .catch((err: unknown) => {
      // The deadline is a normal end (the informer reconnects); an abort by the caller too.
      if (bound.timedOut() || signal.aborted) return undefined;
      throw err;
    })
    .finally(() => bound.release());
  if (failure) throw failure;
  if (answer) throw apiErrorFrom(answer.status, answer.text, 'GET', path);
}
