// The JSON routes' one fetch helper: a route's error message becomes the thrown Error's.
// With `missingOk`, a 404 gives null instead: the run was removed after the run list was read
// (its data is skipped now; the next refresh drops the run).
export async function getJson(url, { missingOk = false } = {}) {
  const res = await fetch(url, { cache: 'no-store' });
  const body = await res.json();
  if (missingOk && res.status === 404) return null;
  if (!res.ok) throw new Error(body.error ?? `${url}: HTTP ${res.status}`);
  return body;
}
