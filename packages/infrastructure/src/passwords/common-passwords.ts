import type { PasswordScreen } from "@gatehouse/domain";
import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * The common-password screen: the MIT-licensed list shipped with `@zxcvbn-ts/language-common`
 * (about 49,000 entries, already lower case), held in a Set built once on first use. The
 * candidates come NFKC-normalised and lower-cased, so "P@ssw0rd" and "ｐ＠ｓｓｗ０ｒｄ" both hit.
 */
export function makeCommonPasswordScreen(): PasswordScreen {
  let list: ReadonlySet<string> | undefined;
  return {
    refusesAs: "common",
    async isRefused(_password, candidates) {
      list ??= new Set(dictionary.passwords);
      const known = list;
      return candidates.some((candidate) => known.has(candidate));
    },
  };
}
