/**
 * Derives `local/api/sagemaker-model.json` (the constraints the local runtime validates against)
 * from SageMaker's botocore model, copied into `test/fixtures/sagemaker/pipelines-api-model.json`
 * (source, version and licence in that folder's README). The runtime reads only the derived file,
 * which is committed; a test checks it still matches the fixture.
 *
 * Run: `npx tsx local/api/generate-model.ts`
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiModel, OperationModel, ShapeModel } from './model';

interface BotocoreMember {
  shape: string;
}
interface BotocoreShape {
  type: string;
  required?: string[];
  members?: Record<string, BotocoreMember>;
  member?: BotocoreMember;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
}
interface BotocoreModel {
  metadata: { targetPrefix: string; jsonVersion: string };
  operations: Record<
    string,
    { input?: BotocoreMember; output?: BotocoreMember; errors?: BotocoreMember[] }
  >;
  shapes: Record<string, BotocoreShape>;
}

export const FIXTURE_MODEL_PATH = fileURLToPath(
  new URL('../../test/fixtures/sagemaker/pipelines-api-model.json', import.meta.url),
);
export const DERIVED_MODEL_PATH = fileURLToPath(new URL('./sagemaker-model.json', import.meta.url));

/** Keeps only what validation needs: types, required members, lengths, ranges, patterns, enums. */
export function deriveApiModel(source: BotocoreModel): ApiModel {
  const shapes: Record<string, ShapeModel> = {};
  for (const [name, shape] of Object.entries(source.shapes).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const out: ShapeModel = { type: shape.type };
    if (shape.required?.length) out.required = [...shape.required];
    if (shape.members) {
      out.members = Object.fromEntries(
        Object.entries(shape.members).map(([member, ref]) => [member, ref.shape]),
      );
    }
    if (shape.member) out.member = shape.member.shape;
    if (shape.min !== undefined) out.min = shape.min;
    if (shape.max !== undefined) out.max = shape.max;
    if (shape.pattern !== undefined) out.pattern = shape.pattern;
    if (shape.enum) out.enum = [...shape.enum];
    if (shape.exception) out.exception = true;
    shapes[name] = out;
  }
  const operations: Record<string, OperationModel> = {};
  for (const [name, op] of Object.entries(source.operations)) {
    operations[name] = {
      input: op.input?.shape ?? null,
      output: op.output?.shape ?? null,
      errors: (op.errors ?? []).map((e) => e.shape),
    };
  }
  return { targetPrefix: source.metadata.targetPrefix, operations, shapes };
}

/** Operations the fixture lacks (ListPipelineVersions), in botocore's format: see its `source`. */
export const SUPPLEMENT_MODEL_PATH = fileURLToPath(
  new URL('./botocore-supplement.json', import.meta.url),
);

/** Reads the fixture and returns the derived model as the exact text committed to the repo. */
export function renderDerivedModel(fixturePath = FIXTURE_MODEL_PATH): string {
  const source = JSON.parse(readFileSync(fixturePath, 'utf8')) as BotocoreModel;
  const supplement = JSON.parse(readFileSync(SUPPLEMENT_MODEL_PATH, 'utf8')) as Pick<
    BotocoreModel,
    'operations' | 'shapes'
  >;
  const merged: BotocoreModel = {
    metadata: source.metadata,
    operations: {
      ...source.operations,
      ...Object.fromEntries(
        Object.entries(supplement.operations).filter(
          ([name]) => !Object.hasOwn(source.operations, name),
        ),
      ),
    },
    shapes: { ...supplement.shapes, ...source.shapes },
  };
  return `${JSON.stringify(deriveApiModel(merged), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DERIVED_MODEL_PATH, renderDerivedModel());
  // Committed in the repository's formatting, so `biome check` stays clean after regenerating.
  execFileSync(fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url)), [
    'format',
    '--write',
    DERIVED_MODEL_PATH,
  ]);
  process.stdout.write(`wrote ${DERIVED_MODEL_PATH}\n`);
}
