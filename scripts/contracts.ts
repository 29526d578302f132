/**
 * Writes `contracts.json`: for each LambdaStep, its function name, description, the JSON
 * Schema of its input and its OutputParameters as a pipeline definition declares them.
 * `--check` fails instead of writing when the file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildContracts } from './contracts-document';

const target = resolve(import.meta.dirname, '..', 'contracts.json');
const text = `${JSON.stringify(await buildContracts(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is simply out of date.
  }
  if (current !== text) {
    console.error('contracts.json is out of date: run `npm run contracts` and commit it');
    process.exit(1);
  }
  console.log('contracts.json is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
