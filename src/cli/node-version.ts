// The Node.js the CLI needs (the version it is built and tested on), checked before anything else is
// loaded, so an older Node gets one line saying so instead of a failure somewhere later. No imports here.

export const REQUIRED_NODE_MAJOR = 24;

/** One line saying what is wrong and how to fix it, or undefined when this Node is recent enough. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return `error: segmentation needs Node.js >= ${REQUIRED_NODE_MAJOR}, but ${execPath} is v${version}: run it as \`npx segmentation ...\` in the project (which uses the project's own Node ${REQUIRED_NODE_MAJOR}), or install Node ${REQUIRED_NODE_MAJOR} LTS`;
}
