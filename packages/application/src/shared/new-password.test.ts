import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy, type PasswordScreen } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { checkNewPassword } from "./new-password.js";

/** A fake list screen recording what it was asked; the real list is tested in infrastructure and over HTTP. */
function fakeListScreen(words: readonly string[], refusesAs: PasswordScreen["refusesAs"] = "common") {
  const asked: (readonly string[])[] = [];
  const screen: PasswordScreen = {
    refusesAs,
    async isRefused(_password, candidates) {
      asked.push(candidates);
      return candidates.some((candidate) => words.includes(candidate));
    },
  };
  return { screen, asked };
}

const policyWith = (...screens: PasswordScreen[]): PasswordPolicy => ({ ...DEFAULT_PASSWORD_POLICY, screens });

describe("checkNewPassword", () => {
  it("accepts a long lower-case passphrase with composition off (the default)", async () => {
    const { screen } = fakeListScreen(["password"]);
    expect(await checkNewPassword("correct horse battery staple", policyWith(screen), {})).toBeUndefined();
  });

  it("hands the screens the NFKC, lower-cased form and the form without trailing digits and symbols", async () => {
    const { screen, asked } = fakeListScreen(["summer"]);
    const issue = await checkNewPassword("Ｓｕｍｍｅｒ2024!", policyWith(screen), {});
    expect(asked).toEqual([["summer2024!", "summer"]]);
    expect(issue).toEqual({ field: "password", message: "is too common; choose a longer passphrase" });
  });

  it("names a breach screen's refusal and stops at the first refusing screen", async () => {
    const breach = fakeListScreen(["hunter2hunter2"], "breached");
    const later = fakeListScreen([]);
    const issue = await checkNewPassword("Hunter2Hunter2", policyWith(breach.screen, later.screen), {}, "new_password");
    expect(issue).toEqual({ field: "new_password", message: "has appeared in a data breach; choose another" });
    expect(later.asked).toEqual([]);
  });

  it.each([
    ["the product name", "Gatehouse2024", {}],
    ["the product name inside a phrase", "my-gatehouse-login", {}],
    ["the email's local part", "Alice.Liddell!", { email: "alice.liddell@example.com" }],
    ["the username plus digits", "Rabbit1234", { username: "rabbit" }],
    ["a fullwidth username", "ｗｏｎｄｅｒｌａｎｄ99", { username: "Wonderland" }],
  ])("refuses a password built on %s", async (_label, password, context) => {
    expect(await checkNewPassword(password, policyWith(), context)).toEqual({
      field: "password",
      message: "must not be based on the product name, your email or your username",
    });
  });

  it("a short username only refuses the password that is that name plus digits, not every phrase containing it", async () => {
    expect(await checkNewPassword("bob12345", policyWith(), { username: "bob" })).toMatchObject({ field: "password" });
    expect(await checkNewPassword("bobcat battery staple", policyWith(), { username: "bob" })).toBeUndefined();
  });

  it("checks the shape first: a short password never reaches a screen", async () => {
    const { screen, asked } = fakeListScreen([]);
    expect(await checkNewPassword("short", policyWith(screen), {})).toEqual({
      field: "password",
      message: "must be 8-128 characters",
    });
    expect(asked).toEqual([]);
  });

  it("applies composition only when the policy asks for it", async () => {
    const policy = { ...policyWith(), composition: true };
    expect(await checkNewPassword("correct horse battery staple", policy, {})).toEqual({
      field: "password",
      message: "must contain an upper-case letter, a lower-case letter and a digit",
    });
  });
});
