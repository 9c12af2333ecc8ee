import {
  newUserInput,
  webAuthnChallengeStoreContract,
  webAuthnCredentialRepositoryContract,
} from "@gatehouse/domain/testing";
import { FakeClock } from "./clock.js";
import { InMemoryDatabase } from "./database.js";
import { FakeMfa } from "./fake-mfa.js";
import { FakeWebAuthnChallenges, FakeWebAuthnCredentials } from "./fake-webauthn.js";

// The fakes are held to the contracts the database and Redis adapters pass.
const users = () => {
  const db = new InMemoryDatabase(new FakeClock());
  return async () => (await db.users.create(newUserInput(), ["user"])).id;
};
webAuthnCredentialRepositoryContract("the in-memory fake", async () => {
  const mfa = new FakeMfa();
  return { credentials: new FakeWebAuthnCredentials(mfa), mfa, newUserId: users(), close: async () => {} };
});
webAuthnChallengeStoreContract("the in-memory fake", async () => ({
  store: new FakeWebAuthnChallenges(),
  newUserId: users(),
  close: async () => {},
}));
