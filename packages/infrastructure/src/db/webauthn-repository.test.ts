import {
  newUserInput,
  webAuthnChallengeStoreContract,
  webAuthnCredentialRepositoryContract,
} from "@gatehouse/domain/testing";
import { createTestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { makeMfaRepository } from "./mfa-repository.js";
import { repositoriesOn } from "./unit-of-work.js";
import { makeDatabaseWebAuthnChallenges, makeWebAuthnCredentialRepository } from "./webauthn-repository.js";

// The passkey ports' contracts, shared with the in-memory fakes, on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) {
  webAuthnCredentialRepositoryContract(kind, async () => {
    const database = await createTestDatabase(kind, { maxConnections: 10 });
    const users = repositoriesOn(database.handle.db).users;
    return {
      credentials: makeWebAuthnCredentialRepository(database.handle.db),
      mfa: makeMfaRepository(database.handle.db),
      newUserId: async () => (await users.create(newUserInput(), ["user"])).id,
      close: () => database.drop(),
    };
  });
  webAuthnChallengeStoreContract(kind, async () => {
    const database = await createTestDatabase(kind, { maxConnections: 10 });
    const users = repositoriesOn(database.handle.db).users;
    return {
      store: makeDatabaseWebAuthnChallenges(database.handle.db),
      newUserId: async () => (await users.create(newUserInput(), ["user"])).id,
      close: () => database.drop(),
    };
  });
}
