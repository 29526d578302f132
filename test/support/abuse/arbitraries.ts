import fc from 'fast-check';
import { inexactNumbers } from '../../../shared/fan-out/budget';

/** Built once: generating megabyte strings per run would dominate the suite's time. */
const ONE_MEGABYTE = 'x'.repeat(1024 * 1024);
const ONE_MEGABYTE_JSON_ARRAY = `[${'"a",'.repeat(200_000)}"a"]`;

/** A value nested `depth` levels deep, built without recursion. */
export const deeplyNested = (depth: number, kind: 'array' | 'object'): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
};

const DEEP_ARRAY = deeplyNested(10_000, 'array');
const DEEP_OBJECT = deeplyNested(10_000, 'object');
const DEEP_JSON_TEXT = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

/** Objects whose own keys are the ones that pollute prototypes when merged carelessly. */
const pollutingObject = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') as unknown,
  JSON.parse('{"prototype": 1, "__proto__": null}') as unknown,
  JSON.parse('{"toString": "x", "valueOf": 1, "hasOwnProperty": false}') as unknown,
);

/** Strings that look like other types or like templates and paths. */
const trickyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '42',
    ' 42',
    '4.2',
    '1e400',
    '-0',
    'NaN',
    'Infinity',
    '0x10',
    'true',
    'True',
    'null',
    '[]',
    '{}',
    '[1,',
    '{"a":',
    '{{item}}',
    '{{item.missing.field}}',
    '{{index',
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
    '😀'.repeat(600),
    'arn:aws:sagemaker:us-east-1:123456789012:pipeline/x',
    '../../etc/passwd',
    '<script>',
    DEEP_JSON_TEXT,
    ONE_MEGABYTE_JSON_ARRAY,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 1100 }),
);

/** Numbers at and past every boundary the contracts care about. */
const edgeNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    1023,
    1024,
    1025,
    10_000,
    10_001,
    2 ** 31,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e308,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any bad value: wrong types, huge, deep, polluting, out of range. Rare ones stay rare. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: trickyString, weight: 6 },
  { arbitrary: edgeNumber, weight: 4 },
  { arbitrary: fc.constantFrom(null, true, false), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: fc.array(trickyString, { maxLength: 5 }), weight: 2 },
  { arbitrary: fc.array(edgeNumber, { maxLength: 5 }), weight: 1 },
  { arbitrary: pollutingObject, weight: 2 },
  { arbitrary: fc.constantFrom(DEEP_ARRAY, DEEP_OBJECT), weight: 1 },
  { arbitrary: fc.constant(ONE_MEGABYTE), weight: 1 },
  { arbitrary: fc.constant(Array.from({ length: 10_001 }, (_, i) => i)), weight: 1 },
);

/**
 * Events built around a function's known keys: each key missing, wrong, or (with
 * `good`) valid, plus unknown and polluting extra keys.
 */
export const eventAround = (
  good: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> => {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, valid] of Object.entries(good)) {
    fields[key] = fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: badValue, weight: 3 });
  }
  const extras = fc.dictionary(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra'), fc.string()),
    badValue,
    { maxKeys: 3 },
  );
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), extras).map(([known, extra]) => {
    const event: Record<string, unknown> = {};
    // defineProperty keeps `__proto__` an own key, as JSON.parse would make it.
    for (const [key, value] of [...Object.entries(extra), ...Object.entries(known)]) {
      Object.defineProperty(event, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return event;
  });
};

/** Top-level events that are not objects at all. */
export const nonObjectEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 0, '', 'event', true, [], [{}]),
  trickyString,
  edgeNumber,
);

/** How many generated inputs each abuse property runs: the issue asks for at least 10,000. */
export const ABUSE_RUNS = 10_000;

/* ------------------------------------------------------------------------------------------
 * Fan-out requests: valid ones, and valid ones with one targeted defect whose outcome is
 * known in advance (which field the error must name), for the three fan-out triggers.
 * ---------------------------------------------------------------------------------------- */

/** Builds an object whose keys are all own data properties, `__proto__` included, as JSON.parse does. */
export const ownRecord = (entries: ReadonlyArray<readonly [string, unknown]>) => {
  const record: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    // Only `__proto__` needs defineProperty (assignment would set the prototype); using it
    // for every key would turn each object into a slow dictionary.
    if (key === '__proto__') {
      Object.defineProperty(record, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else record[key] = value;
  }
  return record;
};

/** Huge values, built once: pick them with a small weight. */
export const HUGE = {
  oneMegabyte: ONE_MEGABYTE,
  oneMegabyteJsonArray: ONE_MEGABYTE_JSON_ARRAY,
  deepArray: DEEP_ARRAY,
  deepObject: DEEP_OBJECT,
  deepJsonText: DEEP_JSON_TEXT,
  tooManyItems: Array.from({ length: 10_001 }, (_, i) => i),
} as const;

/** {@link badValue} without its huge members: the ones a generator may use often. */
export const smallBadValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  {
    arbitrary: fc.constantFrom('', ' ', '42', '1e400', 'NaN', 'true', 'null', '[]', '{}', '[1,'),
    weight: 2,
  },
  { arbitrary: edgeNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 3 },
  { arbitrary: pollutingObject, weight: 2 },
);

/**
 * Mostly {@link smallBadValue}; one value in about `smallWeight / hugeWeight` is huge: a 1 MB
 * string, 10,000 levels deep, or 10,001 long. (The 1 MB JSON array text is left to targeted
 * cases: parsing its 200,000 elements costs some 70 ms each time.)
 */
export const badValueRarelyHuge = (hugeWeight = 1, smallWeight = 100): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: smallBadValue, weight: smallWeight },
    {
      arbitrary: fc.constantFrom<unknown>(
        ONE_MEGABYTE,
        DEEP_ARRAY,
        DEEP_OBJECT,
        DEEP_JSON_TEXT,
        HUGE.tooManyItems,
      ),
      weight: hugeWeight,
    },
  );

/** What a fan-out trigger must do with a generated request. */
export type FanOutExpectation =
  /** A valid request: every (pipeline, item) is planned and, unless a dry run, started. */
  | { kind: 'accept' }
  /** A validation error naming `field` (or a field under it); nothing is started. */
  | { kind: 'reject'; field: string }
  /** A pipeline outside the allow-list; nothing is started. */
  | { kind: 'not-allowed' }
  /** Unknown in advance: either a validation error or a correct result. */
  | { kind: 'any' };

/** A generated fan-out request and the outcome it must have. */
export interface FanOutSample {
  /** What was done to a valid request (`valid`, `missing:batchKey`, ...), for counts. */
  mutation: string;
  request: Record<string, unknown>;
  expected: FanOutExpectation;
}

export const pipelineArnOf = (name: string) =>
  `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${name}`;

/**
 * Scalars an item may hold; strings short enough that no valid item renders over 1,024
 * characters. Numbers beyond ±(2^53 - 1), which the fan-out refuses, stay rare (1 in 50),
 * so most samples remain valid.
 */
const itemLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.integer(),
  fc.oneof(
    {
      weight: 49,
      arbitrary: fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        min: -Number.MAX_SAFE_INTEGER,
        max: Number.MAX_SAFE_INTEGER,
      }),
    },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  ),
  fc.boolean(),
  fc.constant(null),
);

/** Keys of object items: never `missing`, so `{{item.missing}}` is missing from every item. */
const ITEM_KEYS = ['id', 'name', 'region', 'nested', '__proto__', 'constructor', 'toString', '0'];

const objectItem = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom(...ITEM_KEYS),
      fc.oneof(itemLeaf, fc.array(itemLeaf, { maxLength: 2 })),
    ),
    {
      maxLength: 4,
      selector: ([key]) => key,
    },
  )
  .map(ownRecord);

/** Any item of a valid request: scalars, arrays, objects with prototype-ish keys. */
const anyItem: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: itemLeaf, weight: 3 },
  { arbitrary: fc.array(itemLeaf, { maxLength: 3 }), weight: 1 },
  { arbitrary: objectItem, weight: 2 },
  { arbitrary: pollutingObject, weight: 1 },
);

/** An object item that always has `id` and `nested.x`, for templates naming fields. */
const fieldedItem: fc.Arbitrary<unknown> = fc
  .tuple(itemLeaf, itemLeaf, objectItem)
  .map(([id, x, rest]) => ownRecord([...Object.entries(rest), ['id', id], ['nested', { x }]]));

/** Literal template text: no braces, so it never forms a placeholder. */
const templateText = fc.stringMatching(/^[-a-z0-9 _.:/]{0,8}$/);

/** A template with at most one item placeholder, so a valid item never renders past 1,024 characters. */
const templateFor = (fielded: boolean) =>
  fc
    .tuple(
      templateText,
      fc.constantFrom(
        '{{item}}',
        '{{ item }}',
        '{{index}}',
        '{{batchId}}',
        '',
        ...(fielded ? ['{{item.id}}', '{{item.nested.x}}', '{{ item.nested }}'] : []),
      ),
      templateText,
      fc.constantFrom('', '{{index}}', '-{{batchId}}'),
    )
    .map((parts) => parts.join(''));

// `__proto__` matches SageMaker's pattern but object arguments refuse it (it cannot be passed
// on safely), so a valid request never holds it; the `parameters:proto-name` mutation does.
const parameterName = fc
  .stringMatching(/^[A-Za-z0-9_-]{1,24}$/)
  .filter((name) => name !== '__proto__');

/** A valid request, kept as parts so that mutations can break exactly one of them. */
export interface FanOutModel {
  pipelines: string[];
  items: unknown[];
  fielded: boolean;
  parameters: Array<[string, string]> | undefined;
  batchKey: string;
  options: Array<[string, unknown]>;
  /** Send pipelines, items and parameters as strings holding JSON, as a LambdaStep passes them. */
  asText: boolean;
}

/** The allowed pipelines, each at most once, by name or by ARN. */
const pipelinesOf = (allowed: readonly string[]) =>
  fc
    .tuple(
      fc.shuffledSubarray([...allowed], { minLength: 1 }),
      fc.array(fc.boolean(), { minLength: allowed.length, maxLength: allowed.length }),
    )
    .map(([names, asArn]) => names.map((name, i) => (asArn[i] ? pipelineArnOf(name) : name)));

const batchKeyArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.constant(`${pipelineArnOf('parent')}/execution/0a1b2c3d4e5f`),
  fc.constant('k'.repeat(2048)),
);

const optionsArb = fc
  .record(
    {
      displayNamePrefix: fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,20}$/),
        fc.constantFrom('', 'p'.repeat(256), 'nightly run_2026.11'),
      ),
      maxConcurrency: fc.oneof(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }).map(String),
      ),
      maxParallelExecutionSteps: fc.oneof(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }).map(String),
      ),
      dryRun: fc.constantFrom<unknown>(false, true, 'false', 'true'),
    },
    { requiredKeys: [] },
  )
  .map((options) => Object.entries(options));

/**
 * Valid requests for the allowed pipelines. Arbitraries are built once here, not per
 * sample (`chain` would rebuild them for every input and dominate the suites' time).
 */
export const fanOutModel = (allowed: readonly string[]): fc.Arbitrary<FanOutModel> => {
  const build = (fielded: boolean): fc.Arbitrary<FanOutModel> =>
    fc.record({
      pipelines: pipelinesOf(allowed),
      items: fc.array(fielded ? fieldedItem : anyItem, { minLength: 1, maxLength: 12 }),
      fielded: fc.constant(fielded),
      parameters: fc.option(
        fc.uniqueArray(fc.tuple(parameterName, templateFor(fielded)), {
          minLength: 1,
          maxLength: 4,
          selector: ([name]) => name,
        }),
        { nil: undefined },
      ),
      batchKey: batchKeyArb,
      options: optionsArb,
      asText: fc.boolean(),
    });
  return fc.oneof(build(false), build(true));
};

/** The request a model stands for. */
export const requestOf = (model: FanOutModel): Record<string, unknown> => {
  const text = (value: unknown) => (model.asText ? JSON.stringify(value) : value);
  return ownRecord([
    ['pipelines', text(model.pipelines)],
    ['items', text(model.items)],
    ...(model.parameters === undefined
      ? []
      : [['parameters', text(ownRecord(model.parameters))] as const]),
    ['batchKey', model.batchKey],
    ...model.options,
  ]);
};

/** 201 parameters: one past StartPipelineExecution's limit. */
const TOO_MANY_PARAMETERS = Array.from(
  { length: 201 },
  (_, i) => [`P${i}`, '{{index}}'] as [string, string],
);

const withField = (request: Record<string, unknown>, key: string, value: unknown) =>
  ownRecord([...Object.entries(request).filter(([k]) => k !== key), [key, value]]);

const without = (request: Record<string, unknown>, key: string) =>
  ownRecord(Object.entries(request).filter(([k]) => k !== key));

const reject = (field: string): FanOutExpectation => ({ kind: 'reject', field });

/** Whether items (an array, or a JSON string holding one) hold a number the fan-out refuses. */
const hasInexactNumber = (items: unknown): boolean => {
  let value = items;
  if (typeof items === 'string') {
    try {
      value = JSON.parse(items);
    } catch {
      return false;
    }
  }
  return Array.isArray(value) && inexactNumbers(value).length > 0;
};

type Mutate = (
  model: FanOutModel,
  pick: number,
  bad: unknown,
) => [Record<string, unknown>, FanOutExpectation];

/** Picks `list[pick % list.length]`. */
const nth = <T>(list: readonly T[], pick: number): T => list[pick % list.length] as T;

/** Values each field can never accept, whatever the rest of the request. */
const WRONG: Record<string, readonly unknown[]> = {
  pipelines: [
    42,
    {},
    null,
    true,
    '',
    'child-pipeline-1',
    '["child-pipeline-1"',
    '{}',
    [1, 2],
    [[]],
    [null],
  ],
  items: [42, {}, null, false, '', 'nope', '{"a":1}', '[1,', 'null'],
  batchKey: [42, null, [], {}, true, ''],
  parameters: [42, [], '[]', 'x', null, '{"A":1}', { A: 1 }, { A: null }, { A: ['{{item}}'] }],
  maxConcurrency: [
    0,
    51,
    -1,
    1.5,
    '51',
    '1.0',
    ' 8',
    '8 ',
    '',
    1e308,
    2 ** 53 + 2,
    'NaN',
    true,
    -0,
    null,
  ],
  maxParallelExecutionSteps: [0, -1, 0.5, '0', 'one', 2 ** 53 + 2, -0, '1e3', null, []],
  dryRun: ['yes', 1, 0, 'TRUE', 'False', null, [], {}],
  displayNamePrefix: [42, '___', '-', ' . ', 'p'.repeat(257), null, ['x']],
};

const BAD_PIPELINE_NAMES = [
  '',
  'has space',
  'child_pipeline',
  '-leading-hyphen',
  'trailing-hyphen-',
  'a'.repeat(257),
  '../etc/passwd',
  'arn:aws:sagemaker:us-east-1:123456789012:pipeline/',
  'arn:aws:sagemaker:us-east-1:12345:pipeline/child-pipeline-1',
  '😀',
  '\u0000',
  'child-pipeline-1\n',
];

const BAD_PARAMETER_NAMES = [
  ONE_MEGABYTE,
  '',
  'a b',
  'x'.repeat(257),
  'é',
  'a.b',
  '{{item}}',
  'Item\t',
  'Item\n',
  'a\r\nb',
  'x\u2028y',
];

const UNKNOWN_PLACEHOLDERS = [
  '{{items}}',
  '{{item.}}',
  '{{Index}}',
  '{{ item..a }}',
  '{{constructor}}',
  '{{__proto__}}',
  '{{item[0]}}',
  'x{{}}y',
  '{{batchid}}',
];

/** Pipelines that pass the schema but are outside any allow-list of child-pipeline names. */
const NOT_ALLOWED = [
  'prod-train',
  pipelineArnOf('prod-train'),
  'child-pipeline-99',
  'CHILD-PIPELINE-3',
];

const MUTATIONS: Array<{ name: string; weight: number; mutate: Mutate }> = [
  { name: 'valid', weight: 8, mutate: (m) => [requestOf(m), { kind: 'accept' }] },
  {
    name: 'extra-keys',
    weight: 4,
    mutate: (m, pick, bad) => {
      const extras: Array<[string, unknown]> = [
        ['__proto__', { polluted: true }],
        ['constructor', { prototype: { polluted: true } }],
        ['prototype', bad],
        ['toString', bad],
        ['hasOwnProperty', false],
        ['extra', bad],
      ];
      const chosen = extras.filter((_, i) => (pick >> i) & 1);
      return [ownRecord([...chosen, ...Object.entries(requestOf(m))]), { kind: 'accept' }];
    },
  },
  ...(['pipelines', 'items', 'batchKey'] as const).map((field) => ({
    name: `missing:${field}`,
    weight: 2,
    mutate: ((m) => [without(requestOf(m), field), reject(field)]) as Mutate,
  })),
  ...Object.keys(WRONG).map((field) => ({
    name: `wrong:${field}`,
    weight: 3,
    mutate: ((m, pick) => [
      withField(requestOf(m), field, nth(WRONG[field] ?? [], pick)),
      reject(field),
    ]) as Mutate,
  })),
  ...[
    'pipelines',
    'items',
    'batchKey',
    'parameters',
    'displayNamePrefix',
    'maxConcurrency',
    'dryRun',
  ].map((field) => ({
    name: `any-value:${field}`,
    weight: 3,
    mutate: ((m, _pick, bad) => [withField(requestOf(m), field, bad), { kind: 'any' }]) as Mutate,
  })),
  {
    name: 'pipelines:bad-name',
    weight: 3,
    mutate: (m, pick) => {
      const pipelines = [...m.pipelines];
      pipelines.splice(pick % (pipelines.length + 1), 0, nth(BAD_PIPELINE_NAMES, pick >> 4));
      return [requestOf({ ...m, pipelines }), reject('pipelines')];
    },
  },
  {
    name: 'pipelines:not-allowed',
    weight: 3,
    mutate: (m, pick) => [
      requestOf({ ...m, pipelines: [...m.pipelines, nth(NOT_ALLOWED, pick)] }),
      { kind: 'not-allowed' },
    ],
  },
  {
    name: 'pipelines:duplicate',
    weight: 2,
    mutate: (m, pick) => {
      const first = m.pipelines[0] as string;
      const name = first.slice(first.lastIndexOf('/') + 1);
      const twin = nth([name, pipelineArnOf(name), name.toUpperCase()], pick);
      return [requestOf({ ...m, pipelines: [...m.pipelines, twin] }), reject('pipelines')];
    },
  },
  {
    name: 'pipelines:too-many-or-none',
    weight: 1,
    mutate: (m, pick) => [
      requestOf({
        ...m,
        pipelines:
          pick % 2 === 0 ? [] : Array.from({ length: 11 }, (_, i) => `child-pipeline-${i}`),
      }),
      reject('pipelines'),
    ],
  },
  {
    name: 'items:empty-deep-or-too-many',
    weight: 2,
    mutate: (m, pick) => {
      switch (pick % 4) {
        case 0:
          return [requestOf({ ...m, items: [] }), reject('items')];
        case 1:
          return [
            requestOf({ ...m, items: [...m.items, deeplyNested(65, 'array')] }),
            reject('items'),
          ];
        case 2:
          return [requestOf({ ...m, items: [deeplyNested(65, 'object')] }), reject('items')];
        default:
          return [withField(requestOf(m), 'items', HUGE.tooManyItems), reject('items')];
      }
    },
  },
  {
    name: 'parameters:too-many',
    weight: 1,
    mutate: (m) => [requestOf({ ...m, parameters: TOO_MANY_PARAMETERS }), reject('parameters')],
  },
  {
    name: 'parameters:bad-name',
    weight: 2,
    mutate: (m, pick) => [
      requestOf({
        ...m,
        parameters: [...(m.parameters ?? []), [nth(BAD_PARAMETER_NAMES, pick), '{{index}}']],
      }),
      reject('parameters'),
    ],
  },
  {
    name: 'parameters:missing-field',
    weight: 3,
    mutate: (m, pick) => [
      requestOf({
        ...m,
        parameters: [
          ...(m.parameters ?? []).filter(([name]) => name !== 'Missing'),
          [
            'Missing',
            nth(['{{item.missing}}', 'a-{{ item.missing.deeper }}', '{{item.id.deeper}}'], pick),
          ],
        ],
      }),
      reject('parameters.Missing'),
    ],
  },
  {
    name: 'parameters:proto-name',
    weight: 1,
    mutate: (m) => [
      requestOf({ ...m, parameters: [...(m.parameters ?? []), ['__proto__', '{{item}}']] }),
      reject('parameters'),
    ],
  },
  {
    name: 'parameters:unknown-placeholder',
    weight: 2,
    mutate: (m, pick) => [
      requestOf({
        ...m,
        parameters: [
          ...(m.parameters ?? []).filter(([name]) => name !== 'Unknown'),
          ['Unknown', nth(UNKNOWN_PLACEHOLDERS, pick)],
        ],
      }),
      reject('parameters.Unknown'),
    ],
  },
  {
    name: 'parameters:prototype-path',
    weight: 2,
    mutate: (m, pick) => {
      const key = nth(['__proto__', 'constructor', 'toString'], pick);
      const everyItemHasIt = m.items.every(
        (item) =>
          item !== null &&
          typeof item === 'object' &&
          !Array.isArray(item) &&
          Object.hasOwn(item, key),
      );
      return [
        requestOf({
          ...m,
          parameters: [
            ...(m.parameters ?? []).filter(([name]) => name !== 'Proto'),
            ['Proto', `{{item.${key}}}`],
          ],
        }),
        everyItemHasIt ? { kind: 'accept' } : reject('parameters.Proto'),
      ];
    },
  },
  {
    name: 'parameters:rendered-too-long',
    weight: 3,
    mutate: (m, pick) => {
      const parameters = (m.parameters ?? []).filter(([name]) => name !== 'Long');
      switch (pick % 4) {
        case 0:
          return [
            requestOf({ ...m, parameters: [...parameters, ['Long', 'x'.repeat(1025)]] }),
            reject('parameters.Long'),
          ];
        case 1:
          // 1,025 characters that are 2,050 UTF-16 units.
          return [
            requestOf({ ...m, parameters: [...parameters, ['Long', '😀'.repeat(1025)]] }),
            reject('parameters.Long'),
          ];
        case 2: {
          const items = [...m.items];
          items[(pick >> 2) % items.length] = 'y'.repeat(1025);
          return [
            requestOf({ ...m, items, parameters: [...parameters, ['Long', '{{item}}']] }),
            reject('parameters.Long'),
          ];
        }
        default:
          return [
            requestOf({
              ...m,
              parameters: [...parameters, ['Long', `{{index}}${'z'.repeat(1024)}`]],
            }),
            reject('parameters.Long'),
          ];
      }
    },
  },
  {
    name: 'parameters:exactly-1024',
    weight: 1,
    mutate: (m) => [
      // 1,024 characters (2,048 UTF-16 units): at the limit, accepted.
      requestOf({
        ...m,
        parameters: [
          ...(m.parameters ?? []).filter(([n]) => n !== 'Edge'),
          ['Edge', '😀'.repeat(1024)],
        ],
      }),
      { kind: 'accept' },
    ],
  },
  {
    name: 'huge',
    weight: 1,
    mutate: (m, pick) => {
      const request = requestOf(m);
      switch (pick % 10) {
        case 0:
        case 1:
          return [withField(request, 'batchKey', HUGE.oneMegabyte), reject('batchKey')];
        case 2:
        case 3:
          return [
            withField(request, 'displayNamePrefix', HUGE.oneMegabyte),
            reject('displayNamePrefix'),
          ];
        case 4:
          return [withField(request, 'items', HUGE.oneMegabyteJsonArray), reject('items')];
        case 5:
        case 6:
          return [withField(request, 'pipelines', [HUGE.oneMegabyte]), reject('pipelines')];
        default:
          return [
            requestOf({ ...m, items: [HUGE.oneMegabyte], parameters: [['Big', '{{item}}']] }),
            reject('parameters.Big'),
          ];
      }
    },
  },
];

/** Every mutation name, for reports. */
export const FAN_OUT_MUTATIONS = MUTATIONS.map((m) => m.name);

/**
 * Fan-out requests for the allowed pipelines: mostly a valid request with one targeted
 * defect (its expected outcome known), some valid ones, and some built around the
 * request's keys with arbitrary bad values (outcome unknown in advance).
 */
export const fanOutSample = (allowed: readonly string[]): fc.Arbitrary<FanOutSample> => {
  const targeted = fc
    .tuple(
      fanOutModel(allowed),
      fc.oneof(...MUTATIONS.map((m) => ({ arbitrary: fc.constant(m), weight: m.weight }))),
      fc.nat(),
      badValueRarelyHuge(),
    )
    .map(([model, mutation, pick, bad]): FanOutSample => {
      const [request, expected] = mutation.mutate(model, pick, bad);
      // Integers beyond ±(2^53 - 1) are refused: they may already have lost digits (issue 14).
      if (expected.kind === 'accept' && hasInexactNumber(request.items)) {
        return { mutation: mutation.name, request, expected: reject('items') };
      }
      return { mutation: mutation.name, request, expected };
    });
  const wide = eventAroundRarelyHuge({
    pipelines: fc.constantFrom<unknown>(allowed.slice(0, 1), JSON.stringify(allowed)),
    items: fc.array(anyItem, { minLength: 1, maxLength: 5 }),
    batchKey: fc.string({ minLength: 1, maxLength: 20 }),
    parameters: fc.constantFrom<unknown>({ A: '{{item}}' }, '{"B":"{{index}}"}', {
      C: '{{item.missing}}',
    }),
    displayNamePrefix: fc.string({ maxLength: 10 }),
    maxConcurrency: fc.integer({ min: 1, max: 50 }),
    maxParallelExecutionSteps: fc.integer({ min: 1, max: 10 }),
    dryRun: fc.boolean(),
  }).map((request): FanOutSample => ({ mutation: 'wide', request, expected: { kind: 'any' } }));
  return fc.oneof({ arbitrary: targeted, weight: 4 }, { arbitrary: wide, weight: 1 });
};

/** Like {@link eventAround}, with huge values rare (see {@link badValueRarelyHuge}). */
export const eventAroundRarelyHuge = (
  good: Record<string, fc.Arbitrary<unknown>>,
  bad: fc.Arbitrary<unknown> = badValueRarelyHuge(),
): fc.Arbitrary<Record<string, unknown>> => {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, valid] of Object.entries(good)) {
    fields[key] = fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: bad, weight: 2 });
  }
  const extras = fc.dictionary(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra'),
      fc.string({ maxLength: 10 }),
    ),
    bad,
    { maxKeys: 3 },
  );
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), extras)
    .map(([known, extra]) => ownRecord([...Object.entries(extra), ...Object.entries(known)]));
};

const DEEP_TEXTS = new Map<unknown, [token: string, text: string]>([
  [DEEP_ARRAY, ['\u0000deep-array\u0000', `${'['.repeat(10_000)}"leaf"${']'.repeat(10_000)}`]],
  [
    DEEP_OBJECT,
    ['\u0000deep-object\u0000', `${'{"a":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}`],
  ],
]);

/**
 * JSON text of a generated value, for HTTP bodies. JSON.stringify overflows the stack on the
 * 10,000-deep values, so those are written from their precomputed text.
 */
export const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    let text = JSON.stringify(
      value,
      (_key, nested: unknown) => DEEP_TEXTS.get(nested)?.[0] ?? nested,
    );
    for (const [token, deep] of DEEP_TEXTS.values()) {
      text = text.split(JSON.stringify(token)).join(deep);
    }
    return text;
  }
};
