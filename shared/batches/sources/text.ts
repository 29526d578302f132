import { BatchError } from '../errors';

/** Bytes that are not UTF-8, met by {@link decodeUtf8}; readers turn it into a problem of a row. */
export class NotUtf8Error extends BatchError {
  constructor(options?: { cause?: unknown }) {
    super('The source is not UTF-8 text', options);
    this.name = 'NotUtf8Error';
  }
}

/** UTF-8 text as a stream; a byte order mark at the start is dropped. */
export async function* decodeUtf8(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw new NotUtf8Error({ cause: error });
    }
  };
  for await (const chunk of bytes) yield decode(chunk);
  yield decode();
}
