import { type AccountStatus, AccountStatuses } from "@gatehouse/domain";
import { type CliCommand, stringOption, UsageError } from "./command.js";
import { withOperator } from "./operator.js";
import { usersTable, userView } from "./user-view.js";

function intOption(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) throw new UsageError(`--${name} must be 1-${max}`);
  return parsed;
}

function statusOption(value: string | undefined): AccountStatus | undefined {
  if (value === undefined) return undefined;
  const status = AccountStatuses.find((candidate) => candidate === value);
  if (status === undefined) throw new UsageError(`--status must be one of ${AccountStatuses.join(", ")}`);
  return status;
}

export const usersList: CliCommand = {
  name: "users list",
  summary: "List users, newest first (--search, --status, --role, --page, --per-page, --deleted)",
  declare: (command) =>
    command
      .option("--search <text>", "substring of username, email or full name")
      .option("--status <status>", "only users in this status")
      .option("--role <role>", "only holders of this role")
      .option("--deleted", "include soft-deleted users")
      .option("--page <n>", "page number (1-based)")
      .option("--per-page <n>", "users per page (1-100, default 20)"),
  async run({ options, out }) {
    const search = stringOption(options, "search");
    const role = stringOption(options, "role");
    const status = statusOption(stringOption(options, "status"));
    const query = {
      page: intOption(stringOption(options, "page"), "page", 1, 1_000_000),
      perPage: intOption(stringOption(options, "perPage"), "per-page", 20, 100),
      includeDeleted: options.deleted === true,
      sort: "created_at",
      order: "desc",
      ...(search === undefined ? {} : { search }),
      ...(role === undefined ? {} : { role }),
      ...(status === undefined ? {} : { status }),
    } as const;
    const page = await withOperator((op) => op.admin.listUsers(query));
    const users = page.items.map((item) => userView(item.user, item.roleNames));
    out.result(
      { users, total: page.totalItems, page: query.page, per_page: query.perPage },
      () => `${usersTable(users)}\n${users.length} of ${page.totalItems} users (page ${query.page})`,
    );
  },
};
