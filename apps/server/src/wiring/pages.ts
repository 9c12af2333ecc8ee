import type { PagesOptions, PageUseCases } from "@gatehouse/api";
import { makeResolvePageSession } from "@gatehouse/application";
import { type Config, opaqueTokens } from "@gatehouse/infrastructure";
import { mfaRepositoryOf } from "./mfa.js";
import type { Wiring } from "./wiring.js";

/** The hosted pages' own use case (their cookie's session); absent with PAGES_ENABLED=false. */
export function wirePages(w: Wiring): PageUseCases | undefined {
  if (!w.config.pages.enabled) return undefined;
  return {
    resolvePageSession: makeResolvePageSession({
      uow: w.uow,
      opaqueTokens,
      revocations: w.revocations,
      mfa: mfaRepositoryOf(w),
      clock: w.clock,
    }),
  };
}

/** Branding and the origin form posts must come from (README "Hosted pages"). */
export function pagesOptionsOf(config: Config): PagesOptions | undefined {
  const { pages } = config;
  if (!pages.enabled) return undefined;
  return {
    productName: pages.productName,
    ...(pages.logoUrl === undefined ? {} : { logoUrl: pages.logoUrl }),
    color: pages.color,
    publicBaseUrl: config.lifecycle.publicBaseUrl,
    providers: config.federation.providers.map((provider) => provider.name),
  };
}
