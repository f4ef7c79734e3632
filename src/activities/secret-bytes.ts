import { formsToRedact, redactedMark } from '../template/secrets.js';

/**
 * `bytes` with the UTF-8 bytes of every written form of the secrets replaced by those of `[secret]`: for a body
 * that is not text (kept as base64), where `redactSecrets` cannot see them. Such a body changes length,
 * and a file that held a secret is no longer the file it was; a secret in history would be worse.
 */
export function redactSecretBytes(bytes: Buffer, secrets: readonly string[]): Buffer {
  const used = formsToRedact(secrets);
  if (used.length === 0) return bytes;
  // Latin-1 maps each byte to one character and back, so text operations work on the bytes as they are.
  const asBytes = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
  let text = bytes.toString('latin1');
  let changed = false;
  for (const form of used) {
    const written = asBytes(form);
    if (!text.includes(written)) continue;
    text = text.split(written).join(redactedMark);
    changed = true;
  }
  return changed ? Buffer.from(text, 'latin1') : bytes;
}
