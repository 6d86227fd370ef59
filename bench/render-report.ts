// Re-renders report.md and the SVG charts from a results file, without running anything:
//   node --import tsx bench/render-report.ts [bench/results/latest.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderMarkdown, renderTable, writeCharts } from './lib/report.js';
import type { BenchResults } from './lib/results.js';

const file = process.argv[2] ?? 'bench/results/latest.json';
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
const dir = dirname(file);
writeCharts(results, dir);
writeFileSync(join(dir, 'report.md'), renderMarkdown(results));
process.stdout.write(`${renderTable(results)}\nwrote ${join(dir, 'report.md')} and charts\n`);
