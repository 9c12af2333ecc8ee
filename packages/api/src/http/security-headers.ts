/**
 * Response headers for a JSON API, the same set helmet sends by default but computed once:
 * @fastify/helmet rebuilt its Content-Security-Policy on every request, a measurable share
 * of the CPU of a cheap route. The Swagger UI routes replace the CSP with their own.
 * `Cache-Control: no-store` too: answers carry tokens and personal data (login, refresh, me,
 * sessions, admin reads, health details), which no browser or shared cache may keep; a route
 * whose answer may be cached (static files) sets its own.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "DENY",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};
