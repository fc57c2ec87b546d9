/**
 * The whole of `source` as UTF-8 text, or undefined as soon as it passes `maxBytes`: a file or a
 * pipe without end (`/dev/zero`, `yes |`) costs at most `maxBytes` of memory. A stream is
 * destroyed when this gives up. Rejects with the source's own error (a missing file).
 * @example await readCapped(createReadStream('traces.jsonl'), 64 * 1024 * 1024)
 */
export async function readCapped(
  source: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving a for-await early calls the iterator's return(), which destroys a Readable.
  for await (const chunk of source) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += bytes.length;
    if (size > maxBytes) return undefined;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
