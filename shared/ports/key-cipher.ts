/**
 * Encryption at rest for secrets the panel must keep, such as SSL private keys: KMS (envelope
 * encryption) on AWS, an AES-256-GCM key file in the embedded runtime. The context is bound to the
 * ciphertext (KMS encryption context / GCM additional data): a ciphertext moved to another user's
 * item does not decrypt.
 */
export interface KeyCipher {
  encrypt(plaintext: Buffer, context: Record<string, string>): Promise<string>;
  decrypt(ciphertext: string, context: Record<string, string>): Promise<Buffer>;
}
