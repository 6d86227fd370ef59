// npm scripts run with node_modules/.bin first on PATH, where the `node` devDependency puts Node 24.
// Fail early and clearly if something else (the machine's Node 20) is running the tests.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`segmentation-operator needs Node >= 24, but ${process.execPath} is ${process.version}. Run through npm (npm test) so the project's Node 24 is used.`);
  process.exit(1);
}
console.log(`Node ${process.version} (${process.execPath})`);
