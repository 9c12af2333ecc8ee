import { describe, expect, it } from "vitest";
import { makeArgon2Hasher } from "./argon2-hasher.js";
import { recogniseHash } from "./imported-hash-formats.js";

// Every vector below was produced on this machine by another implementation than the one under
// test, for the password PASSWORD unless stated, and pasted here as a literal.
const PASSWORD = "Tr1cky-Fjord-Lantern-88";

const VECTORS: ReadonlyArray<{ format: string; hash: string; producedBy: string }> = [
  {
    format: "bcrypt",
    hash: "$2y$10$VTjK6lSEgkyriinOdkczTuxNFopRFyuzle6qiA/958//U.giYDNxW",
    producedBy: "htpasswd -nbB -C 10 alice PASSWORD (Debian apache2-utils 2.4)",
  },
  {
    format: "bcrypt",
    hash: "$2y$05$GArWpnnGn2Ir8AY1MRwVqOeq2PgPGsIDe0IK/HBSWVhRED7mA56IG",
    producedBy: "htpasswd -nbB -C 5 bob PASSWORD",
  },
  {
    format: "pbkdf2-sha256",
    hash: "$pbkdf2-sha256$29000$Z29sZGVuLXNhbHQtMDAwMQ$MMmTtbjf8GR3LSH8VOC9FdLowuMe4gWNC1wd2B.Br.M",
    producedBy:
      "python3 hashlib.pbkdf2_hmac('sha256', PASSWORD, b'golden-salt-0001', 29000, 32), passlib's adapted base64 ('.' for '+', no padding)",
  },
  {
    format: "pbkdf2-sha512",
    hash: "$pbkdf2-sha512$25000$Z29sZGVuLXNhbHQtMDAwMQ$rSyB7hk8YMXcMs442PjSsI8iDWiXhrO97OKtSo8mcjhthNZGw0k3l1dFOS3KR4HwyMMnzMJhaTZer6djYWaWeg",
    producedBy:
      "python3 hashlib.pbkdf2_hmac('sha512', PASSWORD, b'golden-salt-0001', 25000, 64), passlib's adapted base64",
  },
  {
    format: "pbkdf2-sha256",
    hash: "$pbkdf2-sha256$i=100000,l=32$a3JhdG9zLXNhbHQtMTZieQ$ua7m5VV+8E6gg4OeUOoc0miD12SqGmxzOd/53UcPv/s",
    producedBy:
      "python3 hashlib.pbkdf2_hmac('sha256', PASSWORD, b'kratos-salt-16by', 100000, 32), Kratos's i=,l= form, unpadded base64",
  },
  {
    format: "pbkdf2-sha512",
    hash: "$pbkdf2-sha512$i=10000,l=64$a3JhdG9zLXNhbHQtMTZieQ$LN1Zhr53iLS0DjOvk9CbglMmRG+mysnvM8pY0Zd74Ym8PWDCZJ4YrNX2nTBXodHtrjEr9URssqB4A9yovCyuOg",
    producedBy: "python3 hashlib.pbkdf2_hmac('sha512', PASSWORD, b'kratos-salt-16by', 10000, 64), Kratos's form",
  },
  {
    format: "scrypt",
    hash: "$scrypt$ln=16384,r=8,p=1$Z29sZGVuLXNhbHQtMDAwMQ==$IW3esGEUeNNxKZSXXGeA97jmY38aN7AmJ3woC0ErHck=",
    producedBy:
      "python3 hashlib.scrypt(PASSWORD, salt=b'golden-salt-0001', n=16384, r=8, p=1, dklen=32), standard base64",
  },
  {
    format: "scrypt",
    hash: "$scrypt$ln=1024,r=8,p=2$Z29sZGVuLXNhbHQtMDAwMQ==$qDk3GGLbDpKnfapwvUPKulcLmkimG8XjxBzv/ruIkC850OwYpMUdBahiMjWCui51vnbh/ZdEeLD4dm9tlwuUsA==",
    producedBy: "python3 hashlib.scrypt(PASSWORD, salt=b'golden-salt-0001', n=1024, r=8, p=2, dklen=64)",
  },
];

// The sample from Firebase's own scrypt README (github.com/firebase/scrypt): project parameters
// signer key, salt separator Bw==, rounds 8, mem_cost 14; account salt 42xEC+ixf3L2lw==;
// password "user1password"; expected hash lSrfV15c… Re-checked here with python3 hashlib.scrypt
// (N=2^14, r=8, p=1, salt‖separator) followed by AES-256-CTR with a zero counter.
const FIREBASE_SAMPLE = [
  "$firescrypt$ln=14,r=8,p=1",
  "42xEC+ixf3L2lw==",
  "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
  "Bw==",
  "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
].join("$");

describe("imported password hash formats (golden vectors)", () => {
  const hasher = makeArgon2Hasher({ maxConcurrency: 2 });

  it.each(VECTORS)("verifies $format from $producedBy, and refuses a wrong password", async ({ format, hash }) => {
    expect(hasher.formatOf(hash)).toBe(format);
    expect(await hasher.verify(PASSWORD, hash)).toBe(true);
    expect(await hasher.verify(`${PASSWORD}x`, hash)).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(true);
  });

  it("verifies Firebase's documented scrypt sample", async () => {
    expect(hasher.formatOf(FIREBASE_SAMPLE)).toBe("firescrypt");
    expect(await hasher.verify("user1password", FIREBASE_SAMPLE)).toBe(true);
    expect(await hasher.verify("user2password", FIREBASE_SAMPLE)).toBe(false);
    expect(hasher.needsRehash(FIREBASE_SAMPLE)).toBe(true);
  });

  it("accepts $2a$ and $2b$ spellings of the same bcrypt hash", async () => {
    const [vector] = VECTORS;
    const hash = vector?.hash ?? "";
    expect(await hasher.verify(PASSWORD, hash.replace("$2y$", "$2b$"))).toBe(true);
    expect(await hasher.verify(PASSWORD, hash.replace("$2y$", "$2a$"))).toBe(true);
  });

  it("bcrypt truncation: a password that only shares the first 72 bytes is refused", async () => {
    // Produced with the same library the verifier uses; the point is the 72-byte rule, not the format.
    const { hash } = await import("@node-rs/bcrypt");
    const long = "a".repeat(72);
    const stored = await hash(long, 4);
    expect(await hasher.verify(long, stored)).toBe(true);
    expect(await hasher.verify(`${long}-and-anything-after`, stored)).toBe(false);
  });

  it("argon2i and weaker argon2id parameters verify and ask for a rehash; the current ones do not", async () => {
    const { hash } = await import("@node-rs/argon2");
    const argon2i = await hash(PASSWORD, { algorithm: 1, memoryCost: 8192, timeCost: 3, parallelism: 1 });
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const current = await hasher.hash(PASSWORD);
    expect(hasher.formatOf(argon2i)).toBe("argon2i");
    expect(await hasher.verify(PASSWORD, argon2i)).toBe(true);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(await hasher.verify(PASSWORD, weak)).toBe(true);
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(hasher.formatOf(current)).toBe("argon2id");
    expect(hasher.needsRehash(current)).toBe(false);
  });

  it.each([
    ["an unusable hash", "!password-reset-required"],
    ["a bcrypt cost above the bound", "$2b$31$VTjK6lSEgkyriinOdkczTuxNFopRFyuzle6qiA/958//U.giYDNxW"],
    [
      "a scrypt N that is no power of two",
      "$scrypt$ln=1000,r=8,p=1$Z29sZGVuLXNhbHQtMDAwMQ==$IW3esGEUeNNxKZSXXGeA97jmY38aN7AmJ3woC0ErHck=",
    ],
    [
      "a scrypt memory cost that would exhaust the process (N=2^24, r=8: 16 GiB)",
      "$scrypt$ln=16777216,r=8,p=1$c2FsdA==$IW3esGEUeNNxKZSXXGeA97jmY38aN7AmJ3woC0ErHck=",
    ],
    [
      "a PBKDF2 with too few iterations",
      "$pbkdf2-sha256$10$Z29sZGVuLXNhbHQtMDAwMQ$MMmTtbjf8GR3LSH8VOC9FdLowuMe4gWNC1wd2B.Br.M",
    ],
    [
      "a PBKDF2 digest nobody should use",
      "$pbkdf2-md5$29000$Z29sZGVuLXNhbHQtMDAwMQ$MMmTtbjf8GR3LSH8VOC9FdLowuMe4gWNC1wd2B.Br.M",
    ],
    [
      "a PBKDF2 whose l= disagrees with the hash",
      "$pbkdf2-sha256$i=100000,l=64$a3JhdG9zLXNhbHQtMTZieQ$ua7m5VV+8E6gg4OeUOoc0miD12SqGmxzOd/53UcPv/s",
    ],
    ["a Firebase hash missing its signer key", "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15c$Bw=="],
    ["plain MD5", "5f4dcc3b5aa765d61d8327deb882cf99"],
  ])("refuses %s (formatOf undefined, verify false after a dummy verify)", async (_name, stored) => {
    expect(recogniseHash(stored)).toBeUndefined();
    expect(hasher.formatOf(stored)).toBeUndefined();
    expect(await hasher.verify(PASSWORD, stored)).toBe(false);
  });
});
