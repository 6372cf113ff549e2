/**
 * A GIF read far enough to know it is whole: header, logical screen, colour tables, every block up
 * to the trailer. Any truncation or a block that is not GIF gives a reason instead of an exception.
 */
export function gifProblem(bytes: Uint8Array): { problem: string } | { width: number; height: number } {
  const sig = String.fromCharCode(...bytes.subarray(0, 6));
  if (sig !== 'GIF87a' && sig !== 'GIF89a') return { problem: 'must be a GIF image (logo.gif)' };
  if (bytes.length < 13) return { problem: 'is a truncated GIF (no logical screen descriptor)' };
  const u16 = (at: number) => (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
  const width = u16(6);
  const height = u16(8);
  let at = 13;
  const table = (flags: number) => ((flags & 0x80) ? 3 * (1 << ((flags & 0x07) + 1)) : 0);
  at += table(bytes[10] as number);
  const subBlocks = (): boolean => {
    for (;;) {
      if (at >= bytes.length) return false;
      const size = bytes[at] as number;
      at += 1 + size;
      if (size === 0) return at <= bytes.length;
    }
  };
  let images = 0;
  for (;;) {
    if (at >= bytes.length) return { problem: 'is a truncated GIF (no trailer)' };
    const block = bytes[at];
    if (block === 0x3b) break;
    if (block === 0x21) {
      at += 2; // introducer, label
      if (!subBlocks()) return { problem: 'is a truncated GIF (in an extension block)' };
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) return { problem: 'is a truncated GIF (in an image descriptor)' };
      const flags = bytes[at + 9] as number;
      at += 10 + table(flags) + 1; // descriptor, local colour table, LZW minimum code size
      if (!subBlocks()) return { problem: 'is a truncated GIF (in image data)' };
      images++;
    } else {
      return { problem: `is not a valid GIF (unknown block 0x${(block as number).toString(16)} at byte ${at})` };
    }
  }
  if (images === 0) return { problem: 'is a GIF without an image' };
  return { width, height };
}
