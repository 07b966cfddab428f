// OAuth 2.0 authorization code + PKCE (S256) with state, against the Cognito hosted UI when
// deployed and the local cloud's emulation locally. Tokens live in sessionStorage.
import type { AuthConfig } from '../config';

const TOKEN_KEY = 'meshcustomers.idToken';
const PENDING_KEY = 'meshcustomers.pendingSignIn';

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

export const callbackPath = '/auth/callback';
export const signedOutPath = '/signed-out';
const redirectUri = () => `${window.location.origin}${callbackPath}`;

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomToken(byteCount = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(idToken: string): void {
  sessionStorage.setItem(TOKEN_KEY, idToken);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Only a path of this origin is a place to return to (never an absolute URL from a query). */
export function safeReturnPath(path: string | null | undefined): string {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith(callbackPath)) return '/';
  return path;
}

export async function authorizeUrl(config: AuthConfig, returnTo: string): Promise<string> {
  const pending: PendingSignIn = { state: randomToken(), verifier: randomToken(48), returnTo: safeReturnPath(returnTo) };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes.join(' '),
    state: pending.state,
    code_challenge: await pkceChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  return `${config.authorizeUrl}?${params.toString()}`;
}

let signInUnderway = false;

/** Once per page load: a second start (React's strict-mode double effect) would replace the state. */
export async function beginSignIn(config: AuthConfig, returnTo: string): Promise<void> {
  if (signInUnderway) return;
  signInUnderway = true;
  window.location.assign(await authorizeUrl(config, returnTo));
}

export class SignInError extends Error {}

/** Checks state, exchanges the code; answers the path to return to. */
export async function completeSignIn(config: AuthConfig, search: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get('error');
  if (error) throw new SignInError(`Sign-in was refused: ${params.get('error_description') ?? error}.`);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null;
  const code = params.get('code');
  if (!pending || !code || params.get('state') !== pending.state) {
    throw new SignInError('This sign-in answer does not belong to a sign-in started here. Please sign in again.');
  }
  const response = await fetchImpl(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: pending.verifier,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
    }).toString(),
  });
  if (!response.ok) throw new SignInError(`The sign-in could not be completed (status ${response.status}). Please sign in again.`);
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new SignInError('The sign-in answer carried no ID token.');
  storeToken(tokens.id_token);
  return pending.returnTo;
}

/** Forgets the tokens, then ends the hosted session too when the provider has a logout URL. */
export function signOut(config: AuthConfig): void {
  forgetToken();
  const signedOut = `${window.location.origin}${signedOutPath}`;
  if (config.logoutUrl) {
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: signedOut });
    window.location.assign(`${config.logoutUrl}?${params.toString()}`);
  } else {
    window.location.assign(signedOut);
  }
}
