/**
 * @file `npm run bench`: runs every benchmark module in bench/ (each exports `run()` and prints a markdown table
 * with its baseline measured in the same run). `npm run bench -- strategies ingest` runs a subset.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const all = [
  'ingest',
  'strategies',
  'runtime',
  'decode-anatomy',
  'ask-pipelines',
  'hub',
  'jobs',
  'narration',
  'scenes',
  'inspect',
  'serve',
];
const wanted = process.argv.slice(2).filter((name) => !name.startsWith('-'));
const names = wanted.length > 0 ? wanted : all;

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `# vidtok benchmarks\n\nMachine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\n`,
);

let failures = 0;
for (const name of names) {
  const file = join(benchDir, `${name}.ts`);
  if (!existsSync(file)) {
    if (wanted.length > 0) {
      process.stderr.write(`bench: no benchmark named ${name}\n`);
      failures += 1;
    }
    continue;
  }
  process.stdout.write(`## ${name}\n\n`);
  const started = performance.now();
  try {
    const module = (await import(pathToFileURL(file).href)) as { run: () => Promise<void> };
    await module.run();
  } catch (error) {
    failures += 1;
    process.stderr.write(`bench ${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.stdout.write(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
process.exitCode = failures > 0 ? 1 : 0;
