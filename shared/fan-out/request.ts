import * as v from 'valibot';
import { describeValue } from '../describe-value';
import { type FieldProblem, InputValidationError } from '../errors';
import {
  MAX_PARAMETER_VALUE_LENGTH,
  MAX_PIPELINE_NAME_OR_ARN_LENGTH,
  MAX_PIPELINE_PARAMETERS,
  MIN_MAX_PARALLEL_EXECUTION_STEPS,
  PIPELINE_NAME_OR_ARN_PATTERN,
  PIPELINE_PARAMETER_NAME_PATTERN,
} from '../limits';
import { booleanArg, integerArg, jsonArrayArg, jsonObjectArg, stringRecord } from '../parsers';
import { MAX_ITEMS } from '../steps/items';
import {
  ITEMS_PER_TIME_CHECK,
  inexactNumbers,
  MAX_RENDERED_BYTES,
  placeholderCount,
  renderedBytesProblem,
  renderingsProblem,
} from './budget';
import { PlanningTimeError } from './errors';
import { type Fingerprint, fingerprintOf } from './fingerprint';
import {
  batchIdOf,
  canonicalJson,
  clientRequestToken,
  DEFAULT_DISPLAY_NAME_PREFIX,
  displayNameOf,
  pipelineNameOf,
  sanitizeDisplayNamePrefix,
} from './identity';
import {
  compileTemplate,
  type FieldTexts,
  type NamedTemplate,
  PLACEHOLDERS,
  renderParameterValue,
} from './template';

/** Our own limits on one fan-out request. */
export const MAX_PIPELINES = 10;
export const DEFAULT_MAX_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 50;
/** A batch key is an execution ARN (up to 2,048 characters), an event id or a header value. */
export const MAX_BATCH_KEY_LENGTH = 2048;
export const MAX_DISPLAY_NAME_PREFIX_LENGTH = 256;
/** Items whose rendered parameters are kept, enough for every worker's current item. */
const RECENT_PARAMETERS = 2 * MAX_CONCURRENCY;
/** The parameter the item goes in when the request has no `parameters`. */
export const DEFAULT_ITEM_PARAMETER = 'Item';

const pipelineArg = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(MAX_PIPELINE_NAME_OR_ARN_LENGTH),
  v.check(
    (value) => PIPELINE_NAME_OR_ARN_PATTERN.test(value),
    (issue) =>
      `expected a pipeline name or ARN matching ${PIPELINE_NAME_OR_ARN_PATTERN.source}, received ${describeValue(issue.input)}`,
  ),
);

/** The fan-out request: one contract for every trigger. */
export const fanOutRequestSchema = v.object({
  pipelines: jsonArrayArg(
    v.pipe(
      v.array(pipelineArg),
      v.minLength(1),
      v.maxLength(MAX_PIPELINES),
      v.description(
        `1 to ${MAX_PIPELINES} child pipeline names or ARNs: a JSON array, or a string holding one`,
      ),
    ),
  ),
  items: jsonArrayArg(
    v.pipe(
      v.array(v.unknown()),
      v.minLength(1),
      v.maxLength(MAX_ITEMS),
      v.description(
        `1 to ${MAX_ITEMS} items, any JSON values: a JSON array, or a string holding one (plan-batches' batches output as is)`,
      ),
    ),
  ),
  batchKey: v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(MAX_BATCH_KEY_LENGTH),
    v.description(
      'Idempotency key of this fan-out: the parent pipeline passes Execution.PipelineExecutionArn',
    ),
  ),
  parameters: v.optional(
    v.pipe(
      jsonObjectArg(stringRecord()),
      v.description(
        `Child pipeline parameter name to template (${PLACEHOLDERS}); default {"${DEFAULT_ITEM_PARAMETER}": "{{item}}"}`,
      ),
    ),
  ),
  displayNamePrefix: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(MAX_DISPLAY_NAME_PREFIX_LENGTH),
      v.description(
        `Prefix of each child execution's display name, default "${DEFAULT_DISPLAY_NAME_PREFIX}"`,
      ),
    ),
  ),
  maxConcurrency: v.optional(
    v.pipe(
      integerArg,
      v.minValue(1),
      v.maxValue(MAX_CONCURRENCY),
      v.description(`Concurrent StartPipelineExecution calls, default ${DEFAULT_MAX_CONCURRENCY}`),
    ),
  ),
  maxParallelExecutionSteps: v.optional(
    v.pipe(
      integerArg,
      v.minValue(MIN_MAX_PARALLEL_EXECUTION_STEPS),
      v.description('Passed to each child as ParallelismConfiguration.MaxParallelExecutionSteps'),
    ),
  ),
  dryRun: v.optional(
    v.pipe(booleanArg, v.description('Validate and return the plan without calling SageMaker')),
  ),
});

/** A request after schema validation. */
export type FanOutRequest = v.InferOutput<typeof fanOutRequestSchema>;

/** One child execution to start: everything StartPipelineExecution needs. */
export interface PlannedExecution {
  pipeline: string;
  index: number;
  displayName: string;
  clientRequestToken: string;
  parameters: Array<{ Name: string; Value: string }>;
}

/** A validated fan-out, with the tasks derived lazily (10,000 items × 10 pipelines stay cheap). */
export interface FanOutPlan {
  batchId: string;
  batchKey: string;
  pipelines: readonly string[];
  items: readonly unknown[];
  displayNamePrefix: string;
  maxConcurrency: number;
  maxParallelExecutionSteps: number | undefined;
  dryRun: boolean;
  /** Number of (pipeline, item) pairs. */
  requested: number;
  /** What decides what is started; a re-send of the batch key must match it. */
  fingerprint: Fingerprint;
  /** The child pipeline parameters every execution sets. */
  parameterNames: readonly string[];
  /** The display name of the child execution for an item. */
  displayName: (index: number) => string;
  /** The execution to start for a (pipeline, item); rendering cannot fail after planning. */
  execution: (pipelineIndex: number, index: number) => PlannedExecution;
}

/** Visits (pipeline, item) pairs item by item, so a partial run covers items evenly. */
export function forEachPair(
  plan: FanOutPlan,
  visit: (pipelineIndex: number, index: number) => void,
) {
  for (let index = 0; index < plan.items.length; index++) {
    for (let p = 0; p < plan.pipelines.length; p++) visit(p, index);
  }
}

/** Formats sorted indexes as `3, 7-9, 12`. */
export function formatIndexes(indexes: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < indexes.length) {
    const start = indexes[i] as number;
    let end = start;
    while (i + 1 < indexes.length && indexes[i + 1] === end + 1) {
      i++;
      end++;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(', ');
}

/** Collects per-item problems grouped by (field, problem), so 10,000 failing items make one line. */
class ItemProblems {
  private readonly groups = new Map<
    string,
    { field: string; problem: string; indexes: number[] }
  >();

  add(field: string, problem: string, index: number): void {
    const key = `${field}\u0000${problem}`;
    const group = this.groups.get(key);
    if (group) group.indexes.push(index);
    else this.groups.set(key, { field, problem, indexes: [index] });
  }

  toFieldProblems(): FieldProblem[] {
    return [...this.groups.values()].map(({ field, problem, indexes }) => ({
      field,
      problem: `${problem} for item${indexes.length === 1 ? '' : 's'} ${formatIndexes(indexes)}${indexes.length > 1 ? ` (${indexes.length} items)` : ''}`,
    }));
  }
}

/** Options of {@link planFanOut}. */
export interface PlanOptions {
  subject?: string;
  /** Checked every few hundred items while rendering; false stops planning (the time budget). */
  mayContinue?: () => boolean;
}

/**
 * Checks everything the schema cannot (SageMaker's constraints on parameters, templates
 * against every item, duplicate pipelines, numbers that would not render exactly, the
 * work budgets of budget.ts) and derives the plan. Makes no call.
 * @throws InputValidationError listing every problem, with item indexes.
 * @throws PlanningTimeError when `mayContinue` says the time budget ran out.
 */
export function planFanOut(request: FanOutRequest, options: PlanOptions = {}): FanOutPlan {
  const subject = options.subject ?? 'fan-out request';
  const problems: FieldProblem[] = [];
  const pipelines = request.pipelines;
  const seen = new Map<string, number>();
  pipelines.forEach((pipeline, i) => {
    const name = pipelineNameOf(pipeline).toLowerCase();
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else {
      problems.push({
        field: `pipelines[${i}]`,
        problem: `names the same pipeline as pipelines[${first}] (${JSON.stringify(pipelineNameOf(pipeline))}); each child pipeline may appear once`,
      });
    }
  });

  const templates = request.parameters ?? { [DEFAULT_ITEM_PARAMETER]: '{{item}}' };
  const entries = Object.entries(templates);
  if (entries.length > MAX_PIPELINE_PARAMETERS) {
    problems.push({
      field: 'parameters',
      problem: `expected at most ${MAX_PIPELINE_PARAMETERS} parameters (StartPipelineExecution's limit), received ${entries.length}`,
    });
  }
  const compiled: NamedTemplate[] = [];
  for (const [name, source] of entries) {
    const field = `parameters.${name}`;
    if (!PIPELINE_PARAMETER_NAME_PATTERN.test(name)) {
      problems.push({
        field,
        problem: `parameter name ${JSON.stringify(name.slice(0, 60))} must be 1 to 256 characters of [A-Za-z0-9-_]`,
      });
    }
    const result = compileTemplate(source);
    if (result.ok) compiled.push({ name, template: result.template });
    else {
      problems.push({
        field,
        problem: `unknown placeholder ${result.unknown.slice(0, 60)}; expected ${PLACEHOLDERS}`,
      });
    }
  }

  const prefix = sanitizeDisplayNamePrefix(
    request.displayNamePrefix ?? DEFAULT_DISPLAY_NAME_PREFIX,
  );
  if (
    request.displayNamePrefix !== undefined &&
    request.displayNamePrefix !== '' &&
    prefix === ''
  ) {
    problems.push({
      field: 'displayNamePrefix',
      problem: `expected letters or digits, received ${describeValue(request.displayNamePrefix)}`,
    });
  }

  const batchId = batchIdOf(request.batchKey);
  const items = request.items;
  problems.push(...inexactNumbers(items));
  const overBudget = renderingsProblem(items.length, placeholderCount(compiled));
  if (overBudget) problems.push(overBudget);
  // Every template against every item, so the error lists every failing item at once.
  if (entries.length <= MAX_PIPELINE_PARAMETERS && !overBudget) {
    const itemProblems = new ItemProblems();
    let renderedBytes = 0;
    for (let index = 0; index < items.length; index++) {
      if (index % ITEMS_PER_TIME_CHECK === 0 && options.mayContinue?.() === false) {
        throw new PlanningTimeError(items.length, index);
      }
      if (renderedBytes > MAX_RENDERED_BYTES) {
        problems.push(renderedBytesProblem(index - 1));
        break;
      }
      const memo: FieldTexts = new Map();
      for (const { name, template } of compiled) {
        const rendered = renderParameterValue(template, items[index], index, batchId, memo);
        if (rendered.ok) {
          renderedBytes += Buffer.byteLength(rendered.value);
          continue;
        }
        const field = `parameters.${name}`;
        if (rendered.problem.kind === 'missing-field') {
          itemProblems.add(
            field,
            `${template.source.slice(0, 60)} names field ${JSON.stringify(rendered.problem.field)} that the item does not have`,
            index,
          );
        } else {
          itemProblems.add(
            field,
            `renders to more than ${MAX_PARAMETER_VALUE_LENGTH} characters (a parameter value's limit)`,
            index,
          );
        }
      }
    }
    problems.push(...itemProblems.toFieldProblems());
  }

  if (problems.length > 0) throw new InputValidationError(problems, { subject });

  const itemJson: Array<string | undefined> = new Array(items.length);
  // Tasks go item by item, so the pipelines of one item reuse its rendered parameters.
  const recentParameters = new Map<number, Array<{ Name: string; Value: string }>>();
  const parametersOf = (index: number) => {
    const cached = recentParameters.get(index);
    if (cached) return cached;
    const memo: FieldTexts = new Map();
    const item = items[index];
    const parameters = compiled.map(({ name, template }) => {
      const rendered = renderParameterValue(template, item, index, batchId, memo);
      // Planning rendered every (template, item) successfully.
      return { Name: name, Value: rendered.ok ? rendered.value : '' };
    });
    if (recentParameters.size >= RECENT_PARAMETERS) {
      const oldest = recentParameters.keys().next().value;
      if (oldest !== undefined) recentParameters.delete(oldest);
    }
    recentParameters.set(index, parameters);
    return parameters;
  };
  return {
    batchId,
    batchKey: request.batchKey,
    pipelines,
    items,
    displayNamePrefix: prefix,
    maxConcurrency: request.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxParallelExecutionSteps: request.maxParallelExecutionSteps,
    dryRun: request.dryRun ?? false,
    requested: pipelines.length * items.length,
    parameterNames: compiled.map(({ name }) => name),
    fingerprint: fingerprintOf({
      pipelines,
      items,
      parameters: templates,
      displayNamePrefix: prefix,
      maxParallelExecutionSteps: request.maxParallelExecutionSteps,
    }),
    displayName: (index) => displayNameOf(prefix, batchId, index),
    execution: (pipelineIndex, index) => {
      const pipeline = pipelines[pipelineIndex] as string;
      const item = items[index];
      let json = itemJson[index];
      if (json === undefined) {
        json = canonicalJson(item);
        itemJson[index] = json;
      }
      return {
        pipeline,
        index,
        displayName: displayNameOf(prefix, batchId, index),
        clientRequestToken: clientRequestToken(request.batchKey, pipeline, index, json),
        parameters: parametersOf(index),
      };
    },
  };
}
