import { AccountStatuses } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { type PageRenderer, renderPage } from "../render.js";
import { adminRoute, type RequireOperator } from "./admin-guard.js";
import { barChart, columnChart } from "./bar-chart.js";

/**
 * `/admin`: the dashboard over `getUserStatistics`, the use case behind
 * GET /api/v1/admin/users/statistics, and `getDailyActivity` (the last 30 days from the audit
 * trail, and the rate-limit refusals per day), with its figures as server-rendered SVG bar charts.
 */
export function adminDashboard(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { admin } = options.useCases;

  app.get("/admin", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "users:read")) === undefined) return reply;
    const [stats, activity] = await Promise.all([admin.getUserStatistics(), admin.getDailyActivity(30)]);
    const perDay = (values: readonly number[]) =>
      Object.fromEntries(activity.days.map((day, i) => [day.slice(5), values[i] ?? 0]));
    const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
    const byStatus = Object.fromEntries(AccountStatuses.map((status) => [status, stats.byStatus[status] ?? 0]));
    return renderPage(renderer, request, reply, "admin/dashboard", {
      title: "Admin console",
      section: "dashboard",
      counts: [
        { label: "Users", value: stats.totalUsers },
        { label: "Active", value: stats.active },
        { label: "Inactive", value: stats.inactive },
        { label: "Deleted", value: stats.deleted },
        { label: "Rate-limited requests, 30 days", value: sum(activity.series.rateLimited) },
      ],
      charts: [
        barChart("by-status", "Users by status", byStatus),
        barChart("by-role", "Users by role", stats.byRole),
        barChart("registrations", "Registrations", {
          "last 24 hours": stats.registrations.last24h,
          "last 7 days": stats.registrations.last7d,
          "last 30 days": stats.registrations.last30d,
        }),
        columnChart("sign-ins-per-day", "Sign-ins per day, last 30 days (UTC)", perDay(activity.series.signIns)),
        columnChart(
          "failed-sign-ins-per-day",
          "Failed sign-ins per day, last 30 days (UTC)",
          perDay(activity.series.failedSignIns),
        ),
        columnChart(
          "registrations-per-day",
          "Registrations per day, last 30 days (UTC)",
          perDay(activity.series.registrations),
        ),
        columnChart(
          "rate-limited-per-day",
          "Rate-limited requests per day, last 30 days (UTC)",
          perDay(activity.series.rateLimited),
        ),
      ],
    });
  });
}
