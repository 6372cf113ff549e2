/** A small whole GIF of the given size, base64 (the seed's logo.gif is 158x67). */
export function gif(width: number, height: number, signature = 'GIF89a'): string {
  return gifBytes(width, height, signature).toString('base64');
}

export function gifBytes(width: number, height: number, signature = 'GIF89a'): Buffer {
  const head = Buffer.alloc(13);
  head.write(signature, 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  head[10] = 0x80; // a global colour table of 2 colours
  const colours = Buffer.from([0, 0, 0, 255, 255, 255]);
  const image = Buffer.alloc(10);
  image[0] = 0x2c;
  image.writeUInt16LE(width, 5);
  image.writeUInt16LE(height, 7);
  const data = Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00]); // LZW code size, one sub-block, end
  return Buffer.concat([head, colours, image, data, Buffer.from([0x3b])]);
}
