// The console's single page: session and state from the server, hash routing, one page at a time.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Snapshot } from '../../src/console/view/snapshot.js';
import { checkProfiles } from '../../src/console/view/profiles.js';
import { parseRoute, routeHash } from '../../src/console/view/route.js';
import { getSession, getState, type Session } from './api.js';
import { EditorPage } from './pages/editor.js';
import { ExplainPage } from './pages/explain.js';
import { NamespacePage } from './pages/namespace.js';
import { NamespacesPage } from './pages/namespaces.js';
import { OverviewPage } from './pages/overview.js';
import { ProfilesPage } from './pages/profiles.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [session, setSession] = useState<Session>();
  const [state, setState] = useState<Snapshot>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const hash = useHash();
  const route = parseRoute(hash);

  const reload = async () => {
    setLoading(true);
    try {
      setState(await getState());
      setError(undefined);
    } catch (err) {
      setError(String((err as Error).message ?? err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    getSession()
      .then((s) => {
        setSession(s);
        return reload();
      })
      .catch((err: unknown) => setError(String((err as Error).message ?? err)));
  }, []);
  const profiles = useMemo(() => (state ? checkProfiles(state.profiles, state.facts) : []), [state]);

  const [page = '', arg] = route.segments;
  const nav = [
    ['', 'Overview'],
    ['profiles', 'Profiles'],
    ['namespaces', 'Namespaces'],
    ['explain', 'Explain'],
  ] as const;
  return (
    <>
      <header class="top">
        <strong class="brand">segmentation console</strong>
        <nav aria-label="pages">
          {nav.map(([p, label]) => (
            <a href={routeHash(p ? [p] : [])} class={page === p || (p === 'profiles' && page === 'profile') || (p === 'namespaces' && page === 'namespace') ? 'active' : ''} key={p}>
              {label}
            </a>
          ))}
        </nav>
        <span class="source" title={session?.source}>
          {session ? `${session.mode === 'live' ? 'live' : 'offline'}: ${session.source}` : ''}
          {session?.readOnly && <span class="badge warn">read-only</span>}
        </span>
        <button type="button" id="refresh" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </header>
      <main>
        {error && (
          <p class="banner bad" role="alert">
            {error}
          </p>
        )}
        {!state && !error && (
          <p class="loading" role="status">
            Reading the cluster…
          </p>
        )}
        {state && session && (
          <>
            {page === '' && <OverviewPage state={state} profiles={profiles} />}
            {page === 'profiles' && <ProfilesPage state={state} profiles={profiles} session={session} />}
            {page === 'profile' && <EditorPage key={arg ?? '(new)'} state={state} profiles={profiles} session={session} name={arg} params={route.params} onSaved={reload} />}
            {page === 'namespaces' && <NamespacesPage state={state} profiles={profiles} />}
            {page === 'namespace' && arg && <NamespacePage key={arg} state={state} profiles={profiles} name={arg} params={route.params} />}
            {page === 'explain' && <ExplainPage state={state} params={route.params} />}
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
