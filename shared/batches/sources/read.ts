import { SourceChangedError, SourceReadError } from './errors';
import type { ObjectHead, ObjectRef, ObjectSource } from './port';
import { s3UriOf } from './uri';

/** Bytes asked for in one `GetObject`: a stream that breaks costs at most this much again. */
export const DEFAULT_RANGE_BYTES = 8 * 1024 * 1024;

/**
 * An object's bytes, read as a stream in ranges of `rangeBytes`. The first read
 * (`HeadObject`, done by the caller: `head`) fixes the entity tag; every `GetObject` after it
 * carries `If-Match` with it and must answer the same tag and size, so an object replaced
 * while a batch reads it is refused with `SourceChangedError` rather than read half old, half
 * new.
 */
export async function* readObjectBytes(
  source: ObjectSource,
  ref: ObjectRef,
  head: ObjectHead,
  rangeBytes = DEFAULT_RANGE_BYTES,
): AsyncGenerator<Uint8Array> {
  const uri = s3UriOf(ref);
  for (let start = 0; start < head.size; start += rangeBytes) {
    const end = Math.min(head.size, start + rangeBytes) - 1;
    const part = await source.getObject({ ...ref, range: { start, end }, ifMatch: head.etag });
    if (part.etag !== head.etag) {
      throw new SourceChangedError(uri, `entity tag ${part.etag}, first read ${head.etag}`);
    }
    if (part.size !== head.size) {
      throw new SourceChangedError(uri, `${part.size} bytes, first read ${head.size}`);
    }
    let received = 0;
    for await (const chunk of part.body) {
      received += chunk.byteLength;
      yield chunk;
    }
    if (received !== end - start + 1) {
      throw new SourceReadError(
        uri,
        `bytes ${start}-${end} answered ${received} bytes instead of ${end - start + 1}`,
      );
    }
  }
}
