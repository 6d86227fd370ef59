// A bare Git repository that the Flux test writes to through a work tree beside it: each commit() replaces the
// tracked files with the given ones and pushes to the bare repository's main branch.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface GitRepo {
  /** The bare repository's directory name under the server root, e.g. "profiles.git". */
  name: string;
  /** Replaces every file of the work tree with `files` (path -> content), commits and pushes; returns the commit. */
  commit(files: Record<string, string>, message: string): string;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'flux test', GIT_AUTHOR_EMAIL: 'flux-test@127.0.0.1', GIT_COMMITTER_NAME: 'flux test', GIT_COMMITTER_EMAIL: 'flux-test@127.0.0.1', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  }).trim();
}

/** Creates `<serverRoot>/<name>` (bare) and `<workRoot>/<name>` (its work tree). */
export function createGitRepo(serverRoot: string, workRoot: string, name: string): GitRepo {
  const bare = join(serverRoot, name);
  const work = join(workRoot, name.replace(/\.git$/, ''));
  mkdirSync(bare, { recursive: true });
  mkdirSync(work, { recursive: true });
  git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  return {
    name,
    commit(files, message) {
      for (const entry of git(work, 'ls-files').split('\n').filter(Boolean)) rmSync(join(work, entry));
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'main');
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}
