import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway certificate authority made with openssl at test time; it signs server certificates. */
export class TestCertificateAuthority {
  readonly dir = mkdtempSync(join(tmpdir(), "gh-tls-"));
  private serial = 1;

  private constructor() {}

  static create(): TestCertificateAuthority {
    const ca = new TestCertificateAuthority();
    ca.openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      ca.path("ca.key"),
      "-out",
      ca.path("ca.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=Gatehouse Test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
    return ca;
  }

  /** The CA certificate clients trust. */
  get certificate(): Buffer {
    return readFileSync(this.path("ca.pem"));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /**
   * A certificate for localhost and 127.0.0.1 signed by this CA, named `cn`, written to
   * `certPath` and `keyPath` (overwriting them, as a certificate renewal would).
   */
  issue(cn: string, certPath: string, keyPath: string): void {
    const base = this.path(`issued-${this.serial}`);
    this.openssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.csr`,
      "-subj",
      `/CN=${cn}`,
    );
    writeFileSync(`${base}.ext`, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    this.openssl(
      "x509",
      "-req",
      "-in",
      `${base}.csr`,
      "-CA",
      this.path("ca.pem"),
      "-CAkey",
      this.path("ca.key"),
      "-set_serial",
      String(this.serial++),
      "-days",
      "1",
      "-extfile",
      `${base}.ext`,
      "-out",
      `${base}.pem`,
    );
    writeFileSync(keyPath, readFileSync(`${base}.key`));
    writeFileSync(certPath, readFileSync(`${base}.pem`));
  }

  private openssl(...args: string[]): void {
    execFileSync("openssl", args, { stdio: "ignore" });
  }
}
