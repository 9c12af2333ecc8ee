import type { PasswordAdvisor } from "@gatehouse/domain";
import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { translations } from "@zxcvbn-ts/language-en";

/** Passwords longer than this are not estimated in full: zxcvbn's matching grows fast with length. */
const MAX_ESTIMATED_LENGTH = 100;

/**
 * Strength feedback from `@zxcvbn-ts/core` (MIT) with the common dictionary, the keyboard graphs
 * and English messages, for a password the policy refused. zxcvbn-ts 3 keeps its options in one
 * module-wide object; nothing else in Gatehouse uses it, so it is set once, on first use (the
 * dictionaries cost memory and start-up time only where feedback is asked for).
 */
export function makeZxcvbnAdvisor(): PasswordAdvisor {
  let configured = false;
  return {
    feedback(password, userInputs) {
      if (!configured) {
        zxcvbnOptions.setOptions({ dictionary, graphs: adjacencyGraphs, translations });
        configured = true;
      }
      const { feedback } = zxcvbn(password.slice(0, MAX_ESTIMATED_LENGTH), [...userInputs]);
      return { warning: feedback.warning || null, suggestions: [...feedback.suggestions] };
    },
  };
}
