import { createHash } from 'node:crypto';
import { canonicalJson, pipelineNameOf } from './identity';

/**
 * The fingerprint of a fan-out request: one short hash per part that decides what is
 * started. `maxConcurrency` and `dryRun` are left out: they change how fast and whether
 * the batch is started, never what. A re-send of the same batch key must carry the same
 * fingerprint as the executions it already started, or it is refused.
 */
export const FINGERPRINT_PARTS = [
  'pipelines',
  'items',
  'parameters',
  'displayNamePrefix',
  'options',
] as const;
export type FingerprintPart = (typeof FINGERPRINT_PARTS)[number];
export type Fingerprint = Record<FingerprintPart, string>;

/** Hex digits kept of each part's SHA-256: 64 bits, collisions are out of reach for one batch key. */
const PART_HASH_LENGTH = 16;
const SCHEME = 'fan-out-fingerprint/v1';
const PART_HASH = new RegExp(`^[0-9a-f]{${PART_HASH_LENGTH}}$`);

function hashOf(part: FingerprintPart, texts: Iterable<string>): string {
  const hash = createHash('sha256').update(`${SCHEME}\n${part}\n`);
  for (const text of texts) hash.update(`${text}\n`);
  return hash.digest('hex').slice(0, PART_HASH_LENGTH);
}

/** What the fingerprint covers, after defaults: the templates and the sanitised prefix. */
export interface FingerprintInput {
  pipelines: readonly string[];
  items: readonly unknown[];
  parameters: Readonly<Record<string, string>>;
  displayNamePrefix: string;
  maxParallelExecutionSteps: number | undefined;
}

function* itemTexts(items: readonly unknown[]): Generator<string> {
  for (const item of items) yield canonicalJson(item);
}

/**
 * The canonical fingerprint: pipelines by lower-case name (a name and its ARN are one
 * pipeline) as a sorted set, items in order as canonical JSON (key order does not
 * matter), parameter templates with sorted names, the prefix as used, and the options.
 */
export const fingerprintOf = (input: FingerprintInput): Fingerprint => ({
  pipelines: hashOf(
    'pipelines',
    [...new Set(input.pipelines.map((p) => pipelineNameOf(p).toLowerCase()))].sort(),
  ),
  items: hashOf('items', itemTexts(input.items)),
  parameters: hashOf('parameters', [canonicalJson(input.parameters)]),
  displayNamePrefix: hashOf('displayNamePrefix', [input.displayNamePrefix]),
  options: hashOf('options', [
    canonicalJson({ maxParallelExecutionSteps: input.maxParallelExecutionSteps ?? null }),
  ]),
});

/** Reads a fingerprint back from a description's JSON; undefined when absent or malformed. */
export function asFingerprint(value: unknown): Fingerprint | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const part of FINGERPRINT_PARTS) {
    const hash = record[part];
    if (typeof hash !== 'string' || !PART_HASH.test(hash)) return undefined;
  }
  return Object.fromEntries(FINGERPRINT_PARTS.map((part) => [part, record[part]])) as Fingerprint;
}

/** The parts whose hashes differ, in {@link FINGERPRINT_PARTS} order. */
export const fingerprintDifferences = (
  expected: Fingerprint,
  found: Fingerprint,
): FingerprintPart[] => FINGERPRINT_PARTS.filter((part) => expected[part] !== found[part]);
