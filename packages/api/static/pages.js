// Progressive enhancement only: every form works without this module.
// A mailed link's token leaves the address bar (and the history) once the page has it in its
// form; so does a provider sign-in's one-time code, spent by the time this page shows.
const query = new URLSearchParams(window.location.search);
if (query.has("token") || query.has("code")) {
  window.history.replaceState(null, "", window.location.pathname);
}
// Browsers that ignore `autofocus` on the error summary still move focus to it.
const summary = document.querySelector(".error-summary");
if (summary instanceof HTMLElement && document.activeElement !== summary) summary.focus();

// Passkeys: a form marked `data-passkey` ("get" for the sign-in's second step, "create" to add
// one) fetches its options from `data-options` with the form's own fields (CSRF token, and the
// sign-in's mfa_token, which so stays out of any URL), runs the browser's ceremony, and posts
// the result in its hidden field like any form: the server answers with a page, as without it.
// The base64url conversion is written here rather than vendoring a library for twelve lines.
const fromBase64url = (text) => {
  const binary = atob(
    text
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(text.length / 4) * 4, "="),
  );
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
};
const toBase64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const withIds = (list) => (list ?? []).map((item) => ({ ...item, id: fromBase64url(item.id) }));

const CEREMONIES = {
  get: (options) =>
    navigator.credentials.get({
      publicKey: {
        ...options,
        challenge: fromBase64url(options.challenge),
        allowCredentials: withIds(options.allowCredentials),
      },
    }),
  create: (options) =>
    navigator.credentials.create({
      publicKey: {
        ...options,
        challenge: fromBase64url(options.challenge),
        user: { ...options.user, id: fromBase64url(options.user.id) },
        excludeCredentials: withIds(options.excludeCredentials),
      },
    }),
};

/** The credential as the server's schema takes it (what `PublicKeyCredential.toJSON()` gives). */
function credentialJson(credential) {
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject !== undefined) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

for (const form of document.querySelectorAll("form[data-passkey]")) {
  const ceremony = CEREMONIES[form.dataset.passkey];
  const start = form.querySelector("[data-passkey-start]");
  const problem = form.querySelector(".passkey-error");
  if (ceremony === undefined || start === null || window.PublicKeyCredential === undefined) continue;
  form.querySelector("[data-passkey-unavailable]")?.setAttribute("hidden", "");
  // A passkey that is only an alternative (the passwordless sign-in) is absent without support.
  form.closest("[data-passkey-section]")?.removeAttribute("hidden");
  start.hidden = false;
  const show = (text) => {
    problem.textContent = text;
    problem.hidden = false;
    start.disabled = false;
  };
  start.addEventListener("click", async () => {
    start.disabled = true;
    problem.hidden = true;
    try {
      const answer = await fetch(form.dataset.options, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      const body = await answer.json().catch(() => ({}));
      if (!answer.ok) return show(body.error?.text ?? problem.dataset.fallback);
      const credential = await ceremony(body);
      form.querySelector(`input[name="${form.dataset.result}"]`).value = JSON.stringify(credentialJson(credential));
      form.submit();
    } catch {
      // The user closed the browser's dialog, or no authenticator answered in time.
      show(problem.dataset.cancelled);
    }
  });
}
