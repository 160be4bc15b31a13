// Finds a nonce such that SHA-256(prefix + nonce) starts with `difficulty` zero bits (the server's
// puzzle, see docs/proof-of-work.md). Nonces are tried in base 36, a batch of hashes at a time.
const BATCH = 256;

function zeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

self.onmessage = async (event) => {
  const { prefix, difficulty } = event.data;
  const encoder = new TextEncoder();
  for (let start = 0; ; start += BATCH) {
    const nonces = Array.from({ length: BATCH }, (_, i) => (start + i).toString(36));
    const digests = await Promise.all(nonces.map((nonce) => crypto.subtle.digest("SHA-256", encoder.encode(prefix + nonce))));
    for (let i = 0; i < BATCH; i++) {
      if (zeroBits(new Uint8Array(digests[i])) >= difficulty) {
        self.postMessage({ nonce: nonces[i] });
        return;
      }
    }
  }
};
