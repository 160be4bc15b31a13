// A software passkey for HTTP tests: a P-256 key that answers WebAuthn registration ("none" attestation) and
// authentication as a browser with an authenticator would, written out from the specification (CBOR, the
// authenticator data, the signature over it and the client data's hash) so that the server's library is
// checked against an independent implementation. Every part can be bent (origin, RP ID, flags, counter, the
// signing key) to play an attacker. Browser tests use Chromium's virtual authenticator instead.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

type CBORValue = number | string | Uint8Array | Map<CBORValue, CBORValue>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

/** The few CBOR types WebAuthn needs: integers, text, bytes and maps (RFC 8949, definite lengths). */
function cbor(value: CBORValue): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const text = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const parts = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

/** Authenticator data flags (WebAuthn §6.1): user present, user verified, attested credential data. */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface CeremonyOverrides {
  /** The page's origin as the browser reports it (default: the passkey's origin). */
  origin?: string;
  /** The RP ID whose hash the authenticator signs (default: the passkey's). */
  rpId?: string;
  /** Default: user present and verified. */
  flags?: number;
  /** Signs with this key instead of the passkey's own (an assertion forged without the key). */
  signingKey?: KeyObject;
  /** The signature counter to send (default: the next one for a counting authenticator, 0 for one that does not count). */
  counter?: number;
}

export interface SoftPasskey {
  readonly id: string;
  /** Registration response for `navigator.credentials.create` with the server's options' challenge. */
  register(challenge: string, overrides?: CeremonyOverrides): Record<string, unknown>;
  /** Authentication response for `navigator.credentials.get` with the server's options' challenge. */
  assert(challenge: string, overrides?: CeremonyOverrides): Record<string, unknown>;
  /** The counter the last response carried. */
  readonly counter: number;
}

/**
 * A new passkey for `origin` (RP ID: its host name). `counting`: the authenticator increments a signature
 * counter with every use (security keys do; synced passkeys send 0 every time).
 */
export function createSoftPasskey(origin: string, options: { counting?: boolean } = {}): SoftPasskey {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const credentialId = randomBytes(32);
  const id = credentialId.toString("base64url");
  const rpId = new URL(origin).hostname;
  let counter = 0;

  const authenticatorData = (overrides: CeremonyOverrides, attested: boolean): Buffer => {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const parts: Buffer[] = [
      createHash("sha256")
        .update(overrides.rpId ?? rpId)
        .digest(),
      Buffer.from([(overrides.flags ?? FLAG_UP | FLAG_UV) | (attested ? FLAG_AT : 0)]),
      count,
    ];
    if (attested) {
      const jwk = privateKey.export({ format: "jwk" });
      const coseKey = cbor(
        new Map<CBORValue, CBORValue>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, Buffer.from(jwk.x as string, "base64url")],
          [-3, Buffer.from(jwk.y as string, "base64url")],
        ]),
      );
      const length = Buffer.alloc(2);
      length.writeUInt16BE(credentialId.length);
      parts.push(Buffer.alloc(16), length, credentialId, coseKey);
    }
    return Buffer.concat(parts);
  };
  const clientData = (type: string, challenge: string, overrides: CeremonyOverrides): Buffer =>
    Buffer.from(JSON.stringify({ type, challenge, origin: overrides.origin ?? origin, crossOrigin: false }));

  return {
    id,
    get counter() {
      return counter;
    },
    register(challenge, overrides = {}) {
      counter = overrides.counter ?? (options.counting ? 1 : 0);
      const attestationObject = cbor(
        new Map<CBORValue, CBORValue>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authenticatorData(overrides, true)],
        ]),
      );
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: clientData("webauthn.create", challenge, overrides).toString("base64url"),
          attestationObject: attestationObject.toString("base64url"),
          transports: ["internal"],
        },
        clientExtensionResults: {},
      };
    },
    assert(challenge, overrides = {}) {
      counter = overrides.counter ?? (options.counting ? counter + 1 : 0);
      const data = authenticatorData(overrides, false);
      const client = clientData("webauthn.get", challenge, overrides);
      const signed = Buffer.concat([data, createHash("sha256").update(client).digest()]);
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: client.toString("base64url"),
          authenticatorData: data.toString("base64url"),
          signature: sign("sha256", signed, overrides.signingKey ?? privateKey).toString("base64url"),
        },
        clientExtensionResults: {},
      };
    },
  };
}

/** A key that is not any passkey's: for assertions forged by someone who knows only a credential id. */
export function strangerKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}
