import * as v from 'valibot';
import { describeValue } from '../../describe-value';
import { integerArg, jsonObjectArg } from '../../parsers';
import { parseS3Uri } from './uri';

/** Formats an object source may have (a listing is `list: "objects"`). */
export const SOURCE_FORMATS = ['jsonl', 'csv', 'json'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Children a source may give each pipeline of a batch: our limit (the scale issue's goal). */
export const MAX_SOURCE_EXECUTIONS = 100_000;
/**
 * Most items grouped into one child: a group is one parameter value of at most 1,024
 * characters, and `[1,2]` needs 2 per item, so more than 500 could never fit.
 */
export const MAX_ITEMS_PER_EXECUTION = 500;
/** Most columns a CSV header may name. */
export const MAX_CSV_COLUMNS = 1_000;

const EXTENSIONS: ReadonlyArray<[string, SourceFormat]> = [
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.csv', 'csv'],
  ['.json', 'json'],
];

const csvHeaderNames = v.pipe(
  v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  v.minLength(1),
  v.maxLength(MAX_CSV_COLUMNS),
  v.check(
    (names) => new Set(names).size === names.length,
    (issue) => `expected distinct column names, received ${describeValue(issue.input)}`,
  ),
);

const fields = v.object({
  uri: v.pipe(
    v.string(),
    v.check(
      (uri) => parseS3Uri(uri) !== undefined,
      (issue) =>
        `expected s3://<bucket>/<key> (a bucket name of 3 to 63 characters, a key of at most 1,024 bytes), received ${describeValue(issue.input)}`,
    ),
    v.description(
      'The object holding the items (s3://bucket/key), or the prefix whose objects are the items (with list: "objects")',
    ),
  ),
  format: v.optional(
    v.pipe(
      v.picklist(SOURCE_FORMATS),
      v.description(
        "jsonl (one JSON value a line), csv (a row an object keyed by the header) or json (a JSON array); by default from csvHeader or the key's extension (.jsonl, .ndjson, .csv, .json)",
      ),
    ),
  ),
  list: v.optional(
    v.pipe(
      v.picklist(['objects']),
      v.description(
        '"objects": one item per object under the uri prefix, {key, size, etag, lastModified}',
      ),
    ),
  ),
  csvHeader: v.optional(
    v.pipe(
      v.union([v.literal('first-line'), csvHeaderNames]),
      v.description('"first-line" (default) or the column names; the keys of each row\'s item'),
    ),
  ),
  delimiter: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (text) => [...text].length === 1 && !['"', '\r', '\n'].includes(text),
        (issue) =>
          `expected one character other than a quote or a line break, received ${describeValue(issue.input)}`,
      ),
      v.description('The CSV field separator, default ","'),
    ),
  ),
  maxItems: v.optional(
    v.pipe(
      integerArg,
      v.minValue(1),
      v.description('Read at most this many items, from the start'),
    ),
  ),
  itemsPerExecution: v.optional(
    v.pipe(
      integerArg,
      v.minValue(1),
      v.maxValue(MAX_ITEMS_PER_EXECUTION),
      v.description(
        'Items per child execution, default 1; {{items}} renders the group as a JSON array (at most 1,024 characters)',
      ),
    ),
  ),
});

type Fields = v.InferOutput<typeof fields>;

/** The format of a source: its `format`, else CSV when CSV options are given, else the key's extension. */
export const formatOf = (source: Fields): SourceFormat | 'objects' | undefined => {
  if (source.list !== undefined) return source.list;
  if (source.format !== undefined) return source.format;
  if (source.csvHeader !== undefined || source.delimiter !== undefined) return 'csv';
  const key = parseS3Uri(source.uri)?.key.toLowerCase() ?? '';
  return EXTENSIONS.find(([extension]) => key.endsWith(extension))?.[1];
};

/**
 * `itemsFrom`: where a batch reads its items, instead of `items`. A JSON object, or a string
 * holding one.
 */
export const itemsFromSchema = v.pipe(
  jsonObjectArg(fields),
  v.forward(
    v.partialCheck(
      [['list'], ['format'], ['csvHeader'], ['delimiter']],
      (source) =>
        source.list === undefined ||
        (source.format === undefined &&
          source.csvHeader === undefined &&
          source.delimiter === undefined),
      'a listing takes no format, csvHeader or delimiter',
    ),
    ['list'],
  ),
  v.forward(
    v.partialCheck(
      [['format'], ['csvHeader'], ['delimiter']],
      (source) =>
        source.format === undefined ||
        source.format === 'csv' ||
        (source.csvHeader === undefined && source.delimiter === undefined),
      'csvHeader and delimiter apply to format "csv" only',
    ),
    ['format'],
  ),
  v.forward(
    v.partialCheck(
      [['uri'], ['format'], ['list'], ['csvHeader'], ['delimiter']],
      (source) => {
        const key = parseS3Uri(source.uri)?.key;
        return (
          key === undefined || key === '' || key.endsWith('/') || formatOf(source) !== undefined
        );
      },
      (issue) =>
        `cannot tell the format of ${JSON.stringify((issue.input as Fields).uri)}: give format ("jsonl", "csv" or "json") or a key ending in .jsonl, .ndjson, .csv or .json`,
    ),
    ['format'],
  ),
  v.forward(
    v.partialCheck(
      [['uri'], ['list']],
      (source) => {
        const key = parseS3Uri(source.uri)?.key;
        return key === undefined || source.list !== undefined || (key !== '' && !key.endsWith('/'));
      },
      'names a prefix (it ends with /); add list: "objects" to read its objects, or name one object',
    ),
    ['uri'],
  ),
  v.description(
    'Where the items are read from, instead of items: {uri, format?, csvHeader?, delimiter?, list?, maxItems?, itemsPerExecution?}',
  ),
);

/** A validated `itemsFrom`. */
export type ItemsFrom = v.InferOutput<typeof itemsFromSchema>;
