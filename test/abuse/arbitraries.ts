import fc from 'fast-check';

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
