/**
 * The path of a request as the WHATWG URL parser reads it, which is how Bolt's HTTPReceiver
 * routes: `new URL(req.url, 'http://localhost').pathname`. So dot segments (also `%2e`), a
 * backslash, a query, a fragment and the absolute form resolve to the same path, while a
 * trailing or doubled slash, other case or percent-encoded letters do not. Every route here
 * is matched on this one reading, so no path can reach a handler by another spelling.
 */
export function routedPath(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
