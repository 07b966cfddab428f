import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthConfig } from '../config';
import { authorizeUrl, completeSignIn, pkceChallenge, SignInError, storedToken } from './oauth';

const config: AuthConfig = {
  authorizeUrl: 'https://auth.example/oauth2/authorize', tokenUrl: 'https://auth.example/oauth2/token',
  logoutUrl: null, clientId: 'client-1', scopes: ['openid', 'email'],
};

afterEach(() => vi.restoreAllMocks());

describe('OAuth code + PKCE', () => {
  it('computes the S256 challenge of RFC 7636', async () => {
    // RFC 7636, appendix B
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('asks for a code with state and an S256 challenge, and exchanges it for the ID token', async () => {
    const url = new URL(await authorizeUrl(config, '/accept-invitation?token=abc'));
    expect(url.origin + url.pathname).toBe(config.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', client_id: 'client-1', scope: 'openid email', code_challenge_method: 'S256',
      redirect_uri: `${window.location.origin}/auth/callback`,
    });
    const state = url.searchParams.get('state')!;

    let sent: URLSearchParams | null = null;
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent = new URLSearchParams(String(init?.body));
      return new Response(JSON.stringify({ id_token: 'id.token.sig', access_token: 'a', expires_in: 3600, token_type: 'Bearer' }));
    });
    const returnTo = await completeSignIn(config, `?code=the-code&state=${state}`, fetchImpl as typeof fetch);
    expect(returnTo).toBe('/accept-invitation?token=abc');
    expect(storedToken()).toBe('id.token.sig');
    expect(fetchImpl.mock.calls[0]![0]).toBe(config.tokenUrl);
    expect(Object.fromEntries(sent!)).toMatchObject({ grant_type: 'authorization_code', code: 'the-code', client_id: 'client-1' });
    expect(await pkceChallenge(sent!.get('code_verifier')!)).toBe(url.searchParams.get('code_challenge'));
  });

  it('refuses an answer whose state is not the one sent', async () => {
    await authorizeUrl(config, '/');
    const fetchImpl = vi.fn();
    await expect(completeSignIn(config, '?code=c&state=forged', fetchImpl as unknown as typeof fetch)).rejects.toBeInstanceOf(SignInError);
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(storedToken()).toBeNull();
  });
});
