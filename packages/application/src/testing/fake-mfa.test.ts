import { mfaRepositoryContract, newUserInput } from "@gatehouse/domain/testing";
import { FakeClock } from "./clock.js";
import { InMemoryDatabase } from "./database.js";
import { FakeMfa } from "./fake-mfa.js";

// The fake is held to the port contract the Drizzle adapter passes on PGlite and PostgreSQL.
mfaRepositoryContract("the in-memory fake", async () => {
  const db = new InMemoryDatabase(new FakeClock());
  return {
    mfa: new FakeMfa(),
    newUserId: async () => (await db.users.create(newUserInput(), ["user"])).id,
    close: async () => {},
  };
});
