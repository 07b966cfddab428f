import { describe, expect, it } from 'vitest';
import { userFromToken } from './claims';
import { safeReturnPath } from './oauth';

const jwt = (claims: object) =>
  `e30.${btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('userFromToken', () => {
  it('reads the groups as the JSON array of the raw token, strongest role first', () => {
    const user = userFromToken(jwt({ sub: 'u1', email: 'pat@acme.example', 'cognito:groups': ['partner-employees', 'partner-admins'], 'custom:partner_id': 'acme' }));
    expect(user).toMatchObject({ sub: 'u1', email: 'pat@acme.example', adminRole: 'PARTNER_ADMIN', partnerId: 'acme' });
  });
  it('gives no admin role without an admin group', () => {
    expect(userFromToken(jwt({ sub: 'u2' }))?.adminRole).toBeNull();
  });
  it('refuses a token that is not a JWT', () => {
    expect(userFromToken('nonsense')).toBeNull();
  });
});

describe('safeReturnPath', () => {
  it('accepts only paths of this origin', () => {
    expect(safeReturnPath('/accept-invitation?token=abc')).toBe('/accept-invitation?token=abc');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath('//evil.example/')).toBe('/');
  });
});
