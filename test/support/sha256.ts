import { createHash, createHmac } from 'node:crypto';

/** node:crypto in the shape @smithy/signature-v4 wants, so stand-in servers check signatures with the SDK's own signer. */
export class Sha256 {
  private readonly h;
  constructor(secret?: Uint8Array | string) {
    this.h = secret ? createHmac('sha256', secret as never) : createHash('sha256');
  }
  update(d: Uint8Array | string) {
    this.h.update(d as never);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}
