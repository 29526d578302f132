import type { SourceEntry } from './entries';
import type { ObjectSource } from './port';

/** Objects asked for per `ListObjectsV2` page (S3's maximum). */
const PAGE_SIZE = 1000;

/** `"9b2c..."` to `9b2c...`: S3 quotes entity tags; an item's `etag` is the bare tag. */
const bareEtag = (etag: string): string =>
  etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;

/**
 * A prefix listing: one item per object, `{key, size, etag, lastModified}`, in S3's key
 * order, page by page. Zero-byte keys ending in `/` (the console's "folders") are not
 * objects to process and are skipped: our choice, as Step Functions' Distributed Map does not
 * document what it does with them.
 */
export async function* readListing(
  source: ObjectSource,
  bucket: string,
  prefix: string,
): AsyncGenerator<SourceEntry> {
  let continuationToken: string | undefined;
  do {
    const page = await source.listObjectsV2({
      bucket,
      prefix,
      continuationToken,
      maxKeys: PAGE_SIZE,
    });
    for (const object of page.objects) {
      if (object.size === 0 && object.key.endsWith('/')) continue;
      yield {
        kind: 'item',
        item: {
          key: object.key,
          size: object.size,
          etag: bareEtag(object.etag),
          lastModified: object.lastModified,
        },
        at: `key ${JSON.stringify(object.key)}`,
      };
    }
    continuationToken = page.nextToken;
  } while (continuationToken !== undefined);
}
