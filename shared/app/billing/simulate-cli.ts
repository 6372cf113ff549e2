/**
 * `npm run --silent billing:simulate -- FILE.json`: prints the ledger of a billing scenario as JSON
 * on stdout (exit 0), or a clear error naming the bad field on stderr (exit 1; 2 for bad usage).
 */
import { readFileSync } from 'node:fs';
import { DomainError } from '../../domain/errors';
import { simulateScenarioText } from './simulate';

function main(argv: string[]): number {
  const file = argv.filter((a) => a !== '--')[0];
  if (!file || argv.length > 2) {
    process.stderr.write('usage: npm run --silent billing:simulate -- FILE.json\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`billing:simulate: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const out = simulateScenarioText(text);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      process.stderr.write(`billing:simulate: ${file}: invalid scenario: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`billing:simulate: ${file}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
