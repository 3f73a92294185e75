/** A URL with its user:password part (if any) masked, for messages. Works on text that is not a valid URL too. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

export function hasUrlCredentials(text: string): boolean {
  return /^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i.test(text);
}

/** The same member written two ways (`HTTPS://Host:2379/`, `https://host:2379`) compares equal. */
export function endpointKey(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return url.toLowerCase();
  }
}

/** Names that go into typed confirmations and file names: letters, digits, '.', '_', '-'. */
export const TYPEABLE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
