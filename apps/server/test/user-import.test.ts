import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, logIn, post, registerAndLogIn, type Session } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot } from "./support/rbac.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const PASSWORD = "Tr1cky-Fjord-Lantern-88";
// `htpasswd -nbB -C 5 bob Tr1cky-Fjord-Lantern-88` (Debian apache2-utils), pasted as produced.
const BCRYPT = "$2y$05$GArWpnnGn2Ir8AY1MRwVqOeq2PgPGsIDe0IK/HBSWVhRED7mA56IG";
// python3: hashlib.pbkdf2_hmac('sha256', PASSWORD, b'golden-salt-0001', 29000, 32), passlib's encoding.
const PBKDF2 = "$pbkdf2-sha256$29000$Z29sZGVuLXNhbHQtMDAwMQ$MMmTtbjf8GR3LSH8VOC9FdLowuMe4gWNC1wd2B.Br.M";
// Firebase's documented scrypt sample (github.com/firebase/scrypt README): password "user1password".
const FIREBASE =
  "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==";

describe.each(testDatabaseKinds())("user import with password hashes on %s", (kind) => {
  let t: TestServer;
  let root: Session;
  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV, kind);
    root = await logInRoot(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const importText = (body: string, token: string, contentType = "application/x-ndjson", query = "") =>
    t.app
      .inject({
        method: "POST",
        url: `/api/v1/admin/users/import${query}`,
        payload: body,
        headers: { authorization: `Bearer ${token}`, "content-type": contentType },
      })
      .then((response) => ({ status: response.statusCode, body: response.json() as Record<string, unknown> }));
  const storedHash = async (email: string) =>
    (await t.query<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE email = ${email}`))[0]
      ?.password_hash;

  it("imports bcrypt, PBKDF2 and Firebase scrypt users who then sign in with their old password and are re-hashed to argon2id", async () => {
    const suffix = Date.now().toString(36);
    const emails = {
      bcrypt: `bob_${suffix}@example.com`,
      pbkdf2: `pat_${suffix}@example.com`,
      firebase: `fay_${suffix}@example.com`,
    };
    const body = [
      { email: emails.bcrypt, password_hash: BCRYPT, email_verified: true },
      { email: emails.pbkdf2, password_hash: PBKDF2, email_verified: true, full_name: "Pat Import" },
      { email: emails.firebase, password_hash: FIREBASE, email_verified: true },
      { email: "root@example.com", username: "other_root" },
      { email: `bad_${suffix}@example.com`, password_hash: "5f4dcc3b5aa765d61d8327deb882cf99" },
    ]
      .map((row) => JSON.stringify(row))
      .join("\n");

    const dry = await importText(body, root.accessToken, "text/plain", "?dry_run=true");
    expect(dry.status).toBe(200);
    expect(dry.body.data).toMatchObject({ created: 3, skipped: 1 });
    expect(await storedHash(emails.bcrypt)).toBeUndefined();

    const first = await importText(body, root.accessToken);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      created: 3,
      skipped: 1,
      failed: [{ line: 5, code: "VALIDATION_ERROR", message: "password_hash: not a supported hash format" }],
    });
    // Idempotent by email: the same file again writes nothing.
    expect((await importText(body, root.accessToken)).body.data).toMatchObject({ created: 0, skipped: 4 });

    for (const [email, password, format] of [
      [emails.bcrypt, PASSWORD, "bcrypt"],
      [emails.pbkdf2, PASSWORD, "pbkdf2-sha256"],
      [emails.firebase, "user1password", "firescrypt"],
    ] as const) {
      await expect(logIn(t, { email, password: `${password}-wrong` })).rejects.toThrow(/login failed/);
      expect(await storedHash(email)).not.toMatch(/^\$argon2id\$/);
      const session = await logIn(t, { email, password });
      expect(await storedHash(email)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const audits = await t.query<{ details: Record<string, unknown> }>(
        sql`SELECT details FROM audit_logs WHERE action = 'password.rehashed' AND user_id = ${session.userId}`,
      );
      expect(audits.map((row) => row.details)).toEqual([{ from: format, to: "argon2id" }]);
      // The migrated hash still takes the same password.
      await logIn(t, { email, password });
    }
    const imported = await t.query<{ details: Record<string, unknown> }>(
      sql`SELECT a.details FROM audit_logs a JOIN users u ON u.id = a.resource_id
          WHERE a.action = 'user.import' AND u.email = ${emails.firebase}`,
    );
    expect(imported.map((row) => row.details.hash_format)).toEqual(["firescrypt"]);
  });

  it("needs users:import: a signed-in user without it gets 403, the body is never read as JSON", async () => {
    const user = uniqueUser("importer");
    const session = await registerAndLogIn(t, { ...user, password: PASSWORD });
    const refused = await importText(JSON.stringify({ email: "x@example.com" }), session.accessToken);
    expect([refused.status, errorCode(refused.body)]).toEqual([403, "INSUFFICIENT_PERMISSIONS"]);
    const asJson = await post(t, "/api/v1/admin/users/import", { email: "x@example.com" }, root.accessToken);
    expect(asJson.status).toBe(400);
  });
});
