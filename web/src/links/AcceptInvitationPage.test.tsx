import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { acme, problem, renderPage, scriptedApi } from '../member/test/render';
import { AcceptInvitationPage } from './AcceptInvitationPage';

const token = '3q2-7wAAAAB0ZXN0LXRva2VuLW9mLTQzLWNoYXJhY3Q';
const link = `/accept-invitation?token=${token}`;

describe('accept invitation page', () => {
  it('accepts only when asked, then shows the customer joined', async () => {
    const scripted = scriptedApi({
      'POST /invitations/accept': {
        status: 201,
        body: { customerId: 'acme', userId: 'pat', email: 'pat@acme.example', name: 'Pat', role: 'CUSTOMER_EMPLOYEE', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'INVITATION', version: 1 },
      },
      'GET /customers/acme': { status: 200, body: acme },
    });
    renderPage(scripted.api, link, '/accept-invitation', <AcceptInvitationPage />);
    expect(scripted.sent).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Accept invitation' }));
    expect(await screen.findByRole('heading', { name: 'Welcome to Acme' })).toBeTruthy();
    expect(screen.getByText('You joined Acme as customer employee.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open Acme' }).getAttribute('href')).toBe('/my/customers/acme');
    expect(scripted.sent[0]?.body).toEqual({ token });
  });

  it.each([
    [410, 'invitation-used', 'This invitation has been accepted already. Each invitation link works once.'],
    [410, 'invitation-expired', 'This invitation has expired. Ask the customer admin to send it again.'],
    [410, 'invitation-superseded', 'A newer invitation mail was sent since: use the link of the latest mail.'],
    [403, 'invitation-email-mismatch', 'This invitation was sent to another e-mail address than the one you are signed in with. Sign in with the invited address.'],
    [403, 'email-not-verified', 'Your e-mail address is not verified yet. Verify it with your identity provider, then try again.'],
  ])('says a %i %s in words', async (status, type, words) => {
    const scripted = scriptedApi({ 'POST /invitations/accept': problem(status, type) });
    renderPage(scripted.api, link, '/accept-invitation', <AcceptInvitationPage />);
    await userEvent.click(screen.getByRole('button', { name: 'Accept invitation' }));
    expect((await screen.findByRole('alert')).textContent).toContain(words);
    expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
  });

  it('says an incomplete link without calling the API', () => {
    const scripted = scriptedApi({});
    renderPage(scripted.api, '/accept-invitation?token=abc', '/accept-invitation', <AcceptInvitationPage />);
    expect(screen.getByRole('alert').textContent).toContain('This invitation link is incomplete.');
    expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
  });
});
