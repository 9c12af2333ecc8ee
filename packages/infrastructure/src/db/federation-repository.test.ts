import { federatedIdentityRepositoryContract, newUserInput } from "@gatehouse/domain/testing";
import { createTestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { makeFederatedIdentityRepository } from "./federation-repository.js";
import { repositoriesOn } from "./unit-of-work.js";

// The port contract shared with the in-memory fake, on every database this run has: the unique
// (provider, subject) index is what makes one of many concurrent links win.
for (const kind of testDatabaseKinds({ pgbouncer: true })) {
  federatedIdentityRepositoryContract(kind, async () => {
    const database = await createTestDatabase(kind, { maxConnections: 10 });
    const users = repositoriesOn(database.handle.db).users;
    return {
      identities: makeFederatedIdentityRepository(database.handle.db),
      newUserId: async () => (await users.create(newUserInput(), ["user"])).id,
      close: () => database.drop(),
    };
  });
}
