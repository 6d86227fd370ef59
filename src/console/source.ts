// Where the console's state comes from and where Save goes: the live cluster or files.
import type { ApplyResult, Snapshot } from './view/snapshot.js';

export interface ConsoleSource {
  readonly mode: 'live' | 'offline';
  /** The kubeconfig context or the list of files, for the header. */
  readonly description: string;
  load(): Promise<Omit<Snapshot, 'readOnly'>>;
  /** Server-side apply of a profile (live) or a refusal (offline). */
  applyProfile(profile: unknown, dryRun: boolean): Promise<ApplyResult>;
}
