/**
 * What CreatePipeline and UpdatePipeline accept in a step and in a condition, each rule taken from
 * the public pipeline definition JSON schema (aws-sagemaker-mlops/
 * sagemaker-model-building-pipeline-definition-JSON-schema, schema/pipeline-definition.schema.json,
 * "the schema" below), the SageMaker API model and the SageMaker Python SDK (aws/sagemaker-python-sdk,
 * "the SDK"). The schema lags the service (it has no `Not` condition, no `PipelineExperimentConfig`,
 * no `PropertyFiles`), so a rule here only refuses what neither the schema nor the SDK writes.
 * Each function returns what is wrong, or undefined.
 */

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Schema `StepName`; the API model's StepName shape agrees (pattern [A-Za-z0-9\-_]*, max 64). */
export const STEP_NAME = /^[A-Za-z0-9\-_]{1,64}$/;

/** The step types local mode runs. */
export const SUPPORTED_STEP_TYPES = ['Lambda', 'Condition', 'Fail', 'Callback'] as const;

/** Step types of the API model outside the schema and the SDK: nothing publishes their members. */
const UNPUBLISHED_STEP_TYPES = [
  'BedrockCustomModel',
  'BedrockCustomModelDeployment',
  'BedrockProvisionedModelThroughput',
  'BedrockModelImport',
  'InferenceComponent',
  'Lineage',
  'Job',
] as const;

/**
 * Step types SageMaker knows: the schema's `Type` enums, the SDK's StepTypeEnum (v2 and v3, which
 * adds EMRServerless) and the step kinds of the API model's PipelineExecutionStepMetadata that no
 * type above covers. A `Type` outside this list is refused; one in it that local mode does not run
 * is accepted, as SageMaker accepts it, and fails when it runs.
 */
export const KNOWN_STEP_TYPES = [
  ...SUPPORTED_STEP_TYPES,
  'Training',
  'Processing',
  'Transform',
  'Model',
  'RegisterModel',
  'Tuning',
  'ClarifyCheck',
  'QualityCheck',
  'EMR',
  'EMRServerless',
  'AutoML',
  'Endpoint',
  'EndpointConfig',
  ...UNPUBLISHED_STEP_TYPES,
] as const;

/** Members of every step (schema: each step definition; SDK: Step.to_request). */
const COMMON = ['Name', 'Type', 'Arguments', 'DependsOn', 'DisplayName', 'Description'];

/**
 * Members of the steps local mode runs: the schema's `properties` of LambdaStep, CallbackStep,
 * ConditionStep and FailStep (each `additionalProperties: false`), which are also what the SDK's
 * LambdaStep, CallbackStep, ConditionStep and FailStep write.
 */
const STEP_MEMBERS: Record<string, readonly string[]> = {
  Lambda: [...COMMON, 'FunctionArn', 'OutputParameters', 'CacheConfig'],
  Callback: [...COMMON, 'SqsQueueUrl', 'OutputParameters', 'CacheConfig'],
  Condition: COMMON,
  Fail: COMMON,
};

/**
 * Members any other step type of the schema or the SDK may have: the union of the schema's step
 * properties and the members the SDK's steps write (ProcessingStep adds PropertyFiles,
 * QualityCheckStep and ClarifyCheckStep add FailOnViolation). Types outside the schema and the SDK
 * (Bedrock*, InferenceComponent, Lineage, Job, EMRServerless) are not checked: nothing publishes
 * their members.
 */
const ANY_STEP_MEMBERS = [
  ...COMMON,
  'FunctionArn',
  'SqsQueueUrl',
  'OutputParameters',
  'CacheConfig',
  'RetryPolicies',
  'PropertyFiles',
  'CheckType',
  'ModelPackageGroupName',
  'ModelName',
  'SkipCheck',
  'FailOnViolation',
  'RegisterNewBaseline',
  'SuppliedBaselineConstraints',
  'SuppliedBaselineStatistics',
];
/** Types whose members are not checked: those above and EMRServerless (SDK v3 only, not in the schema). */
const UNPUBLISHED_TYPES: ReadonlySet<string> = new Set([
  'EMRServerless',
  ...UNPUBLISHED_STEP_TYPES,
]);
const CHECKED_OTHER_TYPES: ReadonlySet<string> = new Set(
  KNOWN_STEP_TYPES.filter(
    (type) =>
      !(SUPPORTED_STEP_TYPES as readonly string[]).includes(type) && !UNPUBLISHED_TYPES.has(type),
  ),
);

/** Schema ConditionStep.Arguments (`additionalProperties: false`); the SDK writes the same three. */
const CONDITION_ARGUMENTS = ['Conditions', 'IfSteps', 'ElseSteps'];

/**
 * Condition types and their members. The SDK's ConditionTypeEnum and `to_request()`s give Equals,
 * GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo (LeftValue, RightValue), In
 * (QueryValue, Values), Not (Condition) and Or (Conditions). `Not` takes `Condition`: SageMaker
 * refused the SDK's earlier `Expression` with "Unable to parse pipeline definition. Cannot parse
 * object, unknown property 'Expression'." (aws/sagemaker-python-sdk issue #2746, fixed by PR #4351).
 * The schema adds NotEquals and NotIn, and spells In's members Value and In.
 */
const CONDITION_MEMBERS: Record<string, { members: string[]; required: string[][] }> = {
  Equals: { members: ['LeftValue', 'RightValue'], required: [['LeftValue'], ['RightValue']] },
  NotEquals: { members: ['LeftValue', 'RightValue'], required: [['LeftValue'], ['RightValue']] },
  GreaterThan: { members: ['LeftValue', 'RightValue'], required: [['LeftValue'], ['RightValue']] },
  GreaterThanOrEqualTo: {
    members: ['LeftValue', 'RightValue'],
    required: [['LeftValue'], ['RightValue']],
  },
  LessThan: { members: ['LeftValue', 'RightValue'], required: [['LeftValue'], ['RightValue']] },
  LessThanOrEqualTo: {
    members: ['LeftValue', 'RightValue'],
    required: [['LeftValue'], ['RightValue']],
  },
  In: {
    members: ['QueryValue', 'Values', 'Value', 'In'],
    required: [
      ['QueryValue', 'Value'],
      ['Values', 'In'],
    ],
  },
  NotIn: {
    members: ['QueryValue', 'Values', 'Value', 'In'],
    required: [
      ['QueryValue', 'Value'],
      ['Values', 'In'],
    ],
  },
  Not: { members: ['Condition'], required: [['Condition']] },
  Or: { members: ['Conditions'], required: [['Conditions']] },
};

export const CONDITION_TYPES = Object.keys(CONDITION_MEMBERS);

/** Names shown in a message; a name can be any length, a message should not be. */
export function shown(name: string, max = 80): string {
  return name.length > max ? `${name.slice(0, max)}...` : name;
}

function unknownMember(object: JsonObject, allowed: readonly string[]): string | undefined {
  return Object.keys(object).find((key) => !allowed.includes(key));
}

/** What is wrong with a step's own members (its branch steps are checked one by one). */
export function stepProblem(step: JsonObject & { Name: string; Type: string }): string | undefined {
  const name = shown(step.Name);
  if (!STEP_NAME.test(step.Name)) {
    return `step name '${name}' must match ^[A-Za-z0-9\\-_]{1,64}$`;
  }
  if (!(KNOWN_STEP_TYPES as readonly string[]).includes(step.Type)) {
    return `step '${name}' has unknown Type '${shown(step.Type)}' (known: ${KNOWN_STEP_TYPES.join(', ')})`;
  }
  const allowed = Object.hasOwn(STEP_MEMBERS, step.Type)
    ? STEP_MEMBERS[step.Type]
    : CHECKED_OTHER_TYPES.has(step.Type)
      ? ANY_STEP_MEMBERS
      : undefined;
  const unknown = allowed && unknownMember(step, allowed);
  if (allowed && unknown !== undefined) {
    return `step '${name}': Cannot parse object, unknown property '${shown(unknown)}' (a ${step.Type} step takes ${allowed.join(', ')})`;
  }
  // Schema LambdaStep and CallbackStep: `required: ["Type", "Name", "FunctionArn"]` and
  // `[..., "SqsQueueUrl"]`. The value may be a string or an expression such as {"Get": ...}.
  for (const [type, member] of [
    ['Lambda', 'FunctionArn'],
    ['Callback', 'SqsQueueUrl'],
  ] as const) {
    if (step.Type !== type) continue;
    const value = step[member];
    if (value === undefined || value === null) return `${type} step '${name}' has no ${member}`;
    if (typeof value !== 'string' && !isObject(value)) {
      return `${type} step '${name}': ${member} must be a string or an expression, got ${JSON.stringify(value)}`;
    }
  }
  if (step.Type === 'Condition' && isObject(step.Arguments)) {
    const extra = unknownMember(step.Arguments, CONDITION_ARGUMENTS);
    if (extra !== undefined) {
      return `step '${name}': Cannot parse object, unknown property '${shown(extra)}' in Arguments (a Condition step's Arguments take ${CONDITION_ARGUMENTS.join(', ')})`;
    }
  }
  return undefined;
}

/** What is wrong with one condition of a Condition step, nested conditions included. */
export function conditionProblem(condition: unknown): string | undefined {
  if (!isObject(condition) || typeof condition.Type !== 'string') {
    return `a condition must be an object with a Type, got ${shown(JSON.stringify(condition) ?? 'nothing')}`;
  }
  const rule = Object.hasOwn(CONDITION_MEMBERS, condition.Type)
    ? CONDITION_MEMBERS[condition.Type]
    : undefined;
  if (!rule) {
    return `unknown condition type '${shown(condition.Type)}' (known: ${CONDITION_TYPES.join(', ')})`;
  }
  const allowed = ['Type', ...rule.members];
  const unknown = unknownMember(condition, allowed);
  if (unknown !== undefined) {
    return `Cannot parse object, unknown property '${shown(unknown)}' in a ${condition.Type} condition (it takes ${allowed.join(', ')})`;
  }
  for (const alternatives of rule.required) {
    if (!alternatives.some((member) => condition[member] !== undefined)) {
      return `a ${condition.Type} condition needs ${alternatives.join(' or ')}`;
    }
  }
  const list = condition.Values ?? condition.In;
  if ((condition.Type === 'In' || condition.Type === 'NotIn') && !Array.isArray(list)) {
    return `a ${condition.Type} condition needs a list of Values`;
  }
  if (condition.Type === 'Not') return conditionProblem(condition.Condition);
  if (condition.Type === 'Or') {
    if (!Array.isArray(condition.Conditions)) return 'an Or condition needs a list of Conditions';
    for (const inner of condition.Conditions) {
      const problem = conditionProblem(inner);
      if (problem) return problem;
    }
  }
  return undefined;
}
