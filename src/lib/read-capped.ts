/**
 * Reads a body whole, up to `limit` bytes. Past the limit it calls `stop` (which ends the
 * transfer: a stream's cancel or destroy) and throws what `tooBig` makes, without reading the rest.
 */
export async function readCapped(chunks: AsyncIterable<Uint8Array>, limit: number, stop: () => unknown, tooBig: () => Error): Promise<Buffer> {
  const read: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) {
      await Promise.resolve(stop()).catch(() => undefined);
      throw tooBig();
    }
    read.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(read);
}
