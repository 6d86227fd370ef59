// Profiles: the list, and a new profile.
import { useState } from 'preact/hooks';
import type { Snapshot } from '../../../src/console/view/snapshot.js';
import { matchedNamespaces, type CheckedProfile } from '../../../src/console/view/profiles.js';
import { routeHash } from '../../../src/console/view/route.js';
import type { Session } from '../api.js';
import { Badge, Card } from '../components.js';

export function ProfilesPage(props: { state: Snapshot; profiles: CheckedProfile[]; session: Session }) {
  const [name, setName] = useState('');
  return (
    <div class="page" id="profiles-page">
      <h1>Profiles</h1>
      {!props.session.readOnly && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            location.hash = routeHash(['profile'], name ? { new: name } : { new: '' });
          }}
        >
          <label for="new-name">New profile named</label>
          <input id="new-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} placeholder="baseline" />
          <button type="submit">New profile</button>
        </form>
      )}
      <Card title={`${props.profiles.length} profile(s)`}>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Mode</th>
              <th>Matches now</th>
              <th>Allow rules</th>
            </tr>
          </thead>
          <tbody>
            {props.profiles.map(({ entry, check }) => (
              <tr key={entry.metadata.name}>
                <td>
                  <a href={routeHash(['profile', entry.metadata.name])}>{entry.metadata.name}</a>
                </td>
                <td>{check.profile?.spec.mode ?? '?'}</td>
                <td>{check.profile ? `${matchedNamespaces(check.profile, props.state.namespaces).length} namespaces` : <Badge kind="bad">invalid: {check.all[0]}</Badge>}</td>
                <td>{check.profile?.spec.allow.map((r) => r.name).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
