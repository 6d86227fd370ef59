// Just enough of the Dockerfile and .dockerignore formats to check their properties without a Docker
// engine: instructions per stage (continuations joined, comments dropped, ARG defaults substituted in
// FROM), and .dockerignore matching as moby's patternmatcher does it (last matching pattern wins, `!`
// re-includes, a pattern that matches a directory matches everything below it).

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) lines.push(full);
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new Error(`cannot parse Dockerfile line: ${line}`);
    const keyword = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = rest.split('=');
      args[name!.trim()] = (value ?? '').trim();
      continue;
    }
    if (keyword === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!f) throw new Error(`cannot parse FROM ${rest}`);
      const image = f[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
        const name = (a ?? b)!;
        if (!(name in args)) throw new Error(`FROM uses undefined ARG ${name}`);
        return args[name]!;
      });
      stages.push({ image, ...(f[2] ? { name: f[2] } : {}), instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`${keyword} before FROM`);
    stages.at(-1)!.instructions.push({ keyword, args: rest });
  }
  return { args, stages };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` matches anything.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface IgnorePattern {
  negate: boolean;
  re: RegExp;
}

export function parseDockerignore(text: string): IgnorePattern[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: globToRegExp(pattern) };
    });
}

/** True when `path` (relative to the context, `/`-separated) is left out of the build context. */
export function isIgnored(patterns: IgnorePattern[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const p of patterns) if (candidates.some((c) => p.re.test(c))) ignored = !p.negate;
  return ignored;
}

/** The node flags of the runtime stage's exec-form ENTRYPOINT (`["node", <flags>, <script>, ...]`): how the image starts node. */
export function entrypointNodeFlags(text: string): string[] {
  const entry = parseDockerfile(text).stages.at(-1)?.instructions.find((i) => i.keyword === 'ENTRYPOINT');
  const words = entry ? (JSON.parse(entry.args) as string[]) : [];
  if (words[0] !== 'node') return [];
  const flags: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('-')) break;
    flags.push(w);
  }
  return flags;
}
