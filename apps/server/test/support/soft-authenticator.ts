import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

// A software WebAuthn authenticator for the HTTP suites: a real P-256 key, real CBOR and real
// ECDSA signatures over real authenticator data, so the server's verification runs exactly as
// for a browser. The Chromium suite (passkeys-browser.test.ts) covers a real browser's own.

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
  throw new Error("CBOR value too large for this encoder");
}

/** The CBOR subset attestation objects and COSE keys use: small integers, text, bytes, maps. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.byteLength), Buffer.from(value)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const b64url = (data: Buffer) => data.toString("base64url");

export interface SoftAuthenticatorOptions {
  readonly rpId?: string;
  readonly origin?: string;
  /** The BE flag: a synced passkey (amr swk) instead of a device-bound one (hwk). */
  readonly backupEligible?: boolean;
}

type Json = Record<string, unknown>;

/** One credential on one authenticator; `counter` may be set back to play a cloned authenticator. */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  counter = 0;
  private readonly privateKey: KeyObject;
  private readonly cosePublicKey: Buffer;
  userHandle: string | undefined;

  constructor(private readonly options: SoftAuthenticatorOptions = {}) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: "jwk" });
    const coordinate = (v: string | undefined) => Buffer.from(v ?? "", "base64url");
    this.cosePublicKey = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, coordinate(jwk.x)],
        [-3, coordinate(jwk.y)],
      ]),
    );
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private authData(flags: number, attested: Buffer = Buffer.alloc(0)): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const backup = this.options.backupEligible ? 0x08 : 0;
    return Buffer.concat([sha256(this.options.rpId ?? "localhost"), Buffer.from([flags | backup]), count, attested]);
  }

  private clientData(type: string, challenge: string, origin?: string): Buffer {
    const json = {
      type,
      challenge,
      origin: origin ?? this.options.origin ?? "http://localhost:8080",
      crossOrigin: false,
    };
    return Buffer.from(JSON.stringify(json));
  }

  /** The `toJSON()` of navigator.credentials.create() for `options` (user present and verified). */
  create(options: Json, over: { origin?: string } = {}): Json {
    const user = options.user as { id: string };
    this.userHandle = user.id;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.byteLength);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.cosePublicKey]);
    const authData = this.authData(0x01 | 0x04 | 0x40, attested);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", options.challenge as string, over.origin)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** The `toJSON()` of navigator.credentials.get() over `challenge`; the counter moves up by one first. */
  get(challenge: string, over: { origin?: string; userVerified?: boolean; keepCounter?: boolean } = {}): Json {
    if (over.keepCounter !== true) this.counter += 1;
    const authData = this.authData(0x01 | (over.userVerified === false ? 0 : 0x04));
    const clientData = this.clientData("webauthn.get", challenge, over.origin);
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle === undefined ? {} : { userHandle: this.userHandle }),
      },
      clientExtensionResults: {},
    };
  }
}
