import type { OpenHarness } from "@gatehouse/domain/testing";
import { makeUnitOfWork, repositoriesOn } from "../db/unit-of-work.js";
import { createTestDatabase, type TestDatabaseKind } from "./test-database.js";

/** Opens the Drizzle adapters on a private database of `kind`, for a port contract of `@gatehouse/domain/testing`. */
export function drizzleHarness(kind: TestDatabaseKind): OpenHarness {
  return async () => {
    const database = await createTestDatabase(kind);
    return {
      repos: repositoriesOn(database.handle.db),
      uow: makeUnitOfWork(database.handle.db),
      close: () => database.drop(),
    };
  };
}
