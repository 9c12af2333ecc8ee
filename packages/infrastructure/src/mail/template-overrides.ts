import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { MailTemplateName, OutgoingMail } from "@gatehouse/domain";
import { Eta, EtaParseError } from "eta";

/** The parts of a mail a deployment may replace, each a file `<template>.<part>.eta`. */
export const MAIL_TEMPLATE_PARTS = ["subject", "text", "html"] as const;
export type MailTemplatePart = (typeof MAIL_TEMPLATE_PARTS)[number];

/** What a template sees as `it`: the mail's data plus the product name and the recipient. */
export type MailTemplateData = OutgoingMail["data"] & { readonly product: string; readonly to: string };

type Render = (data: MailTemplateData) => string;

/** The overrides found in MAIL_TEMPLATES_DIR; a part not overridden keeps the built-in text. */
export interface MailTemplateOverrides {
  render(mail: OutgoingMail, product: string, part: MailTemplatePart): string | undefined;
  /** `verify-email.html.eta`, … (for the start-up log line). */
  readonly files: readonly string[];
}

/** A template that cannot be used: names the file and, when known, the line. */
export class MailTemplateError extends Error {
  override readonly name = "MailTemplateError";
}

// Sample data per template: every override is rendered once at start with it, so a template
// that throws fails the start instead of the first send. A new template without a sample here
// does not compile.
const SAMPLES: { readonly [T in MailTemplateName]: (OutgoingMail & { readonly template: T })["data"] } = {
  "verify-email": {
    username: "sample",
    code: "123456",
    link: "https://example.com/v?token=x",
    expiresAt: "2030-01-01T00:00:00Z",
  },
  "verify-new-email": {
    username: "sample",
    code: "123456",
    link: "https://example.com/v?token=x",
    expiresAt: "2030-01-01T00:00:00Z",
  },
  "password-reset": {
    username: "sample",
    code: "123456",
    link: "https://example.com/r?token=x",
    expiresAt: "2030-01-01T00:00:00Z",
  },
  "email-change-notice": { username: "sample", newEmail: "new@example.com" },
  "password-changed": { username: "sample" },
  "registration-attempt": { username: "sample" },
  "mfa-recovery-code-used": { username: "sample" },
  "mfa-reset-by-admin": { username: "sample" },
  "account-locked": { username: "sample", resetLink: "https://example.com/forgot-password" },
};

const FILE_NAME = /^([a-z-]+)\.(subject|text|html)\.eta$/;

// HTML escapes every `<%= %>` (raw output needs `<%~ %>`); subject and text are plain text,
// where an entity would show as typed. `debug` keeps line numbers for runtime errors.
const engines: Readonly<Record<MailTemplatePart, Eta>> = {
  subject: new Eta({ autoEscape: false, debug: true, autoTrim: false }),
  text: new Eta({ autoEscape: false, debug: true, autoTrim: false }),
  html: new Eta({ autoEscape: true, debug: true, autoTrim: false }),
};

/**
 * A JavaScript syntax error inside a tag: Eta reports the generated function, not the line.
 * Compiling each interpolation on its own finds the line of the first bad one.
 */
function lineOfBadExpression(source: string): number | undefined {
  for (const match of source.matchAll(/<%[=~]([\s\S]*?)%>/g)) {
    try {
      new Function("it", `return (${match[1]});`);
    } catch {
      return source.slice(0, match.index).split("\n").length;
    }
  }
  return undefined;
}

function compile(file: string, source: string, part: MailTemplatePart): Render {
  const engine = engines[part];
  let template: ReturnType<Eta["compile"]>;
  try {
    template = engine.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const parseLine = /at line (\d+) col (\d+)/.exec(message);
    if (error instanceof EtaParseError && parseLine) {
      throw new MailTemplateError(`${file}:${parseLine[1]}: ${message.split("\n")[0]}`);
    }
    const line = lineOfBadExpression(source);
    throw new MailTemplateError(`${file}${line === undefined ? "" : `:${line}`}: invalid JavaScript in a template tag`);
  }
  return (data) => {
    try {
      const output = template.call(engine, data, { filepath: file });
      return part === "subject" ? output.trim() : output;
    } catch (error) {
      // Eta's runtime error starts with "<file>:<line>" and ends with the original message.
      const message = error instanceof Error ? error.message : String(error);
      const line = /^.*:(\d+)\n/.exec(message)?.[1];
      const cause = message.split("\n").filter(Boolean).pop() ?? message;
      throw new MailTemplateError(`${file}${line === undefined ? "" : `:${line}`}: ${cause}`);
    }
  };
}

/**
 * Reads `<template>.<subject|text|html>.eta` from `dir` (MAIL_TEMPLATES_DIR), compiles each and
 * renders it once with sample data. Any problem (an unknown file name, a syntax error, a
 * template that throws) is a MailTemplateError naming the file and line: at start, not at the
 * first send. `undefined` `dir`: no overrides.
 */
export function loadMailTemplateOverrides(dir: string | undefined): MailTemplateOverrides | undefined {
  if (dir === undefined) return undefined;
  const folder = resolve(dir);
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((name) => name.endsWith(".eta"));
  } catch (error) {
    throw new MailTemplateError(`MAIL_TEMPLATES_DIR ${folder}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const compiled = new Map<string, Render>();
  for (const name of entries.sort()) {
    const file = join(folder, name);
    const [, template, part] = FILE_NAME.exec(name) ?? [];
    if (template === undefined || !(template in SAMPLES)) {
      const known = Object.keys(SAMPLES).join(", ");
      throw new MailTemplateError(
        `${file}: not a mail template (<template>.<subject|text|html>.eta; templates: ${known})`,
      );
    }
    const render = compile(file, readFileSync(file, "utf8"), part as MailTemplatePart);
    render({ ...SAMPLES[template as MailTemplateName], product: "Gatehouse", to: "sample@example.com" });
    compiled.set(`${template}.${part}`, render);
  }
  return {
    files: entries,
    render(mail, product, part) {
      return compiled.get(`${mail.template}.${part}`)?.({ ...mail.data, product, to: mail.to });
    },
  };
}
