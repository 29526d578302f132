import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InputValidationError } from '../errors';
import { BATCH_ID_PATTERN } from '../fan-out/identity';
import { HttpProblemError } from './problem-details';

/** Largest request body accepted: 1 MB (our limit; an HTTP API itself takes up to 10 MB). */
export const MAX_BODY_BYTES = 1_048_576;

/** A request header's value, whatever the case of its name. */
export const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const headers = event.headers ?? {};
  // HTTP API lowercases header names in payload 2.0; look the others up case-insensitively too.
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
};

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Reads a POST body as a JSON object: checks the content type (415), the size (413),
 * the encoding and the JSON syntax (400).
 */
export const readJsonBody = (event: APIGatewayProxyEventV2): unknown => {
  const contentType = header(event, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new HttpProblemError(
      415,
      'unsupported-media-type',
      'Unsupported Media Type',
      `Send the request as JSON with Content-Type: application/json; received ${contentType === undefined ? 'no Content-Type' : JSON.stringify(contentType.slice(0, 60))}`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpProblemError(
      413,
      'content-too-large',
      'Content Too Large',
      `The body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} bytes (1 MB) are accepted. Pass fewer items per request.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new HttpProblemError(
      400,
      'malformed-body',
      'Malformed body',
      'The body is not valid UTF-8.',
      {
        cause,
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpProblemError(
      400,
      'malformed-body',
      'Malformed body',
      `The body is not valid JSON: ${cause instanceof Error ? cause.message.slice(0, 200) : 'parse error'}`,
      { cause },
    );
  }
};

/**
 * The `{batchId}` path parameter of `/fan-outs/{batchId}` and `/batches/{batchId}`: 12 lowercase
 * hex digits.
 * @throws InputValidationError naming `batchId`.
 */
export const batchIdFromPath = (event: APIGatewayProxyEventV2): string => {
  const batchId = event.pathParameters?.batchId ?? '';
  if (!BATCH_ID_PATTERN.test(batchId)) {
    throw new InputValidationError(
      [
        {
          field: 'batchId',
          problem: `expected 12 lowercase hex digits, received ${JSON.stringify(batchId.slice(0, 60))}`,
        },
      ],
      { subject: 'path' },
    );
  }
  return batchId;
};
