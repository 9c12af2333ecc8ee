import { mfaRepositoryContract, newUserInput } from "@gatehouse/domain/testing";
import { createTestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { makeMfaRepository } from "./mfa-repository.js";
import { repositoriesOn } from "./unit-of-work.js";

// The port contract shared with the in-memory fake, on every database this run has: the
// conditional UPDATEs and the DELETE … RETURNING are what make one of many concurrent callers win.
for (const kind of testDatabaseKinds({ pgbouncer: true })) {
  mfaRepositoryContract(kind, async () => {
    const database = await createTestDatabase(kind, { maxConnections: 10 });
    const users = repositoriesOn(database.handle.db).users;
    return {
      mfa: makeMfaRepository(database.handle.db),
      newUserId: async () => (await users.create(newUserInput(), ["user"])).id,
      close: () => database.drop(),
    };
  });
}
