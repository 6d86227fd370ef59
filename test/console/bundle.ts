// The browser bundle for the tests: built from the current sources by the same script as `npm run build`.
// @ts-expect-error: a plain ES module script without types
import { buildConsole } from '../../web/build.mjs';

let built: Promise<{ outdir: string; bytes: number }> | undefined;

export function ensureBundle(): Promise<{ outdir: string; bytes: number }> {
  built ??= buildConsole() as Promise<{ outdir: string; bytes: number }>;
  return built;
}
