import { ConfigError, optionalUrl, type Reader } from "./env-reader.js";

/** The hosted pages and the mail links that open them (README, "Hosted pages"). */
export interface PagesConfig {
  /** PAGES_ENABLED: serve `/login`, `/register`, `/account`, … (off: a team's own frontend serves them). */
  readonly enabled: boolean;
  /** BRAND_NAME: the product name the pages show. */
  readonly productName: string;
  /** BRAND_LOGO_URL: an image shown above every form; absent: none. */
  readonly logoUrl: string | undefined;
  /** BRAND_COLOR: buttons and links, `#rrggbb`; dark enough for white text at 4.5:1. */
  readonly color: string;
  /** The paths the mailed links open under PUBLIC_BASE_URL. */
  readonly linkPaths: { readonly verifyEmail: string; readonly resetPassword: string };
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (at: number) => {
    const value = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White text on `hex`, and `hex` text on white, contrast ratio (the same number both ways). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

function linkPath(read: Reader, name: string, fallback: string): string {
  const value = read.string(name, fallback);
  // A path on PUBLIC_BASE_URL, never a URL of its own: links stay on the configured origin.
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(value) || value.startsWith("//")) {
    throw new ConfigError(`${name} must be a path starting with "/" (got "${value}")`);
  }
  return value;
}

/** Reads PAGES_ENABLED, BRAND_* and the mail link paths. */
export function readPages(read: Reader): PagesConfig {
  const color = read.string("BRAND_COLOR", "#1d4ed8");
  if (!HEX_COLOR.test(color)) throw new ConfigError(`BRAND_COLOR must be a colour as #rrggbb (got "${color}")`);
  // Buttons put white text on the colour and links put the colour on white: both need 4.5:1.
  if (contrastWithWhite(color) < 4.5) {
    throw new ConfigError(`BRAND_COLOR must contrast with white at least 4.5:1 (got "${color}")`);
  }
  return {
    enabled: read.bool("PAGES_ENABLED", true),
    productName: read.string("BRAND_NAME", "Gatehouse"),
    logoUrl: optionalUrl(read, "BRAND_LOGO_URL", ["https:", "http:"]),
    color: color.toLowerCase(),
    linkPaths: {
      verifyEmail: linkPath(read, "VERIFY_EMAIL_LINK_PATH", "/verify-email"),
      resetPassword: linkPath(read, "RESET_PASSWORD_LINK_PATH", "/reset-password"),
    },
  };
}
