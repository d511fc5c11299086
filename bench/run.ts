/** npm run bench: every benchmark in one run, each printing its side-by-side ratios. */
const SUITES = ['summary', 'core', 'pipeline', 'embedded', 'jira', 'servicenow', 'github', 'gitlab', 'shared-rate', 'store', 'convert', 'memory', 'scale'];
const only = process.argv.slice(2);

for (const name of SUITES) {
  if (only.length && !only.includes(name)) continue;
  const mod = (await import(`./${name}.js`).catch(() => null)) as { run?: (print: (l: string) => void) => Promise<void> } | null;
  if (!mod?.run) continue;
  console.log(`\n== ${name} ==`);
  const started = Date.now();
  await mod.run((line) => console.log(line));
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
