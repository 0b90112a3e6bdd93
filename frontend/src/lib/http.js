// JSON requests from a signed-in page: the session cookie plus the page's CSRF token
// (<meta name="csrf-token">), which the server requires on every state-changing call.
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

// -> {ok, status, body}: body is the parsed JSON answer, or null when there is none.
export async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let payload = null;
  try { payload = await response.json(); } catch (e) { payload = null; }
  return { ok: response.ok, status: response.status, body: payload };
}
