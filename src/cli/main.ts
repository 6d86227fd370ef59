#!/usr/bin/env node
// The `segmentation` executable. The Node version is checked before the command tree is imported: static
// imports would load the HTTP client first, and on an old Node that crashes before any check can run.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const { main } = await import('./cli.js');
await main(process.argv);
