import { randomBytes } from "node:crypto";
import { DomainError } from "@gatehouse/domain";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The pages' Content-Security-Policy: nothing but this origin's stylesheet and module, the one
 * inline `<style>` carrying the brand colour and the module tag, both by this response's nonce;
 * the module fetches (a passkey's options) and forms post only here; no framing (clickjacking),
 * no `<base>`.
 */
export function pageCsp(nonce: string, logoOrigin: string | undefined, dataImages = false): string {
  const images = ["'self'", ...(logoOrigin === undefined ? [] : [logoOrigin]), ...(dataImages ? ["data:"] : [])].join(
    " ",
  );
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    `img-src ${images}`,
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** A fresh nonce per response: 128 random bits, base64. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

const nonces = new WeakMap<FastifyRequest, string>();

/**
 * Gives the request its nonce and the reply the CSP naming it (replacing the API's `default-src
 * 'none'`). The API's `Referrer-Policy: no-referrer` becomes `same-origin`: under `no-referrer`
 * browsers send `Origin: null` with a form post, and the origin check needs the real one; other
 * sites still get no referrer (so never a link's token).
 */
export function stampPageCsp(request: FastifyRequest, reply: FastifyReply, logoOrigin: string | undefined): void {
  const nonce = newNonce();
  nonces.set(request, nonce);
  reply.header("content-security-policy", pageCsp(nonce, logoOrigin));
  reply.header("referrer-policy", "same-origin");
}

/**
 * The enrolment page's QR code is the `data:` SVG the use case returns: only that response's
 * CSP also allows `data:` images (an image, SVG included, runs no script); every other page
 * keeps `img-src 'self'`.
 */
export function allowDataImages(request: FastifyRequest, reply: FastifyReply, logoOrigin: string | undefined): void {
  reply.header("content-security-policy", pageCsp(nonceOf(request), logoOrigin, true));
}

/** The origin the brand's logo is served from, which `img-src` names; undefined without a logo. */
export function logoOriginOf(logoUrl: string | undefined): string | undefined {
  return logoUrl === undefined ? undefined : new URL(logoUrl).origin;
}

export function nonceOf(request: FastifyRequest): string {
  return nonces.get(request) ?? "";
}

/**
 * Whether a form post comes from this site. Browsers send `Origin` on every POST and
 * `Sec-Fetch-Site` on every request; either naming another site refuses the post before any
 * use case runs, and the CSRF token is checked as well (a client without either header still
 * needs the token, which only a page of this origin can read).
 */
export function fromThisSite(request: FastifyRequest, publicOrigin: string): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === publicOrigin || origin === `${request.protocol}://${request.host}`;
}

/** The preHandler refusing a cross-site post with CSRF_REJECTED. */
export function refuseCrossSite(publicOrigin: string) {
  return async function refuseCrossSitePost(request: FastifyRequest): Promise<void> {
    if (request.method !== "POST") return;
    if (!fromThisSite(request, publicOrigin)) {
      throw new DomainError("CSRF_REJECTED", "Form posts are accepted only from this site's pages");
    }
  };
}

/** Cookie names: `__Host-` pins a cookie to this origin, but browsers take it only with `Secure`. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}
