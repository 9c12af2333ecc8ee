import { deviceTokenContract } from "@gatehouse/domain/testing";
import { drizzleHarness } from "../testing/drizzle-harness.js";
import { testDatabaseKinds } from "../testing/test-database.js";

// The port-level contract (shared with the in-memory fake), on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) deviceTokenContract(kind, drizzleHarness(kind));
