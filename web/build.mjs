// Builds the console's browser bundle into dist/console/web/ (part of `npm run build`): one ES module
// with Preact, the zod schema, the compiler and the evaluator; no CDN, no runtime downloads.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export async function buildConsole({ outdir = here('../dist/console/web/'), minify = true } = {}) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [here('./src/main.tsx')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: `${outdir}/app.js`,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  await copyFile(here('./index.html'), `${outdir}/index.html`);
  await copyFile(here('./app.css'), `${outdir}/app.css`);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outdir, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outdir, bytes } = await buildConsole();
  console.log(`console bundle: ${outdir}app.js (${Math.round(bytes / 1024)} KiB)`);
}
