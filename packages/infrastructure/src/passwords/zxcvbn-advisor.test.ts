import { describe, expect, it } from "vitest";
import { makeZxcvbnAdvisor } from "./zxcvbn-advisor.js";

describe("zxcvbn strength feedback", () => {
  const advisor = makeZxcvbnAdvisor();

  it("warns about a common password and suggests better ones, in English", () => {
    const feedback = advisor.feedback("Password1", []);
    expect(feedback.warning).toMatch(/commonly used password/i);
    expect(feedback.suggestions.length).toBeGreaterThan(0);
    for (const suggestion of feedback.suggestions) expect(suggestion).toMatch(/\w \w/);
  });

  it("treats the account's own words as guessable, and has nothing to say about a strong passphrase", () => {
    expect(advisor.feedback("lovelace1843", []).warning).toBeNull();
    expect(advisor.feedback("lovelace1843", ["lovelace"]).suggestions.length).toBeGreaterThan(0);
    expect(advisor.feedback("Tr1cky-Fjord-Lantern-88", [])).toEqual({ warning: null, suggestions: [] });
  });
});
