import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { problem, renderPage, scriptedApi } from '../member/test/render';
import { ConfirmEmailPage } from './ConfirmEmailPage';

const token = 'x'.repeat(43);

describe('confirm e-mail page', () => {
  it('confirms without a signed-in user and says the customer is active', async () => {
    const scripted = scriptedApi({
      'POST /email-confirmations': { status: 200, body: { customerId: 'initech', email: 'ian@initech.example', status: 'ACTIVE' } },
    });
    renderPage(scripted.api, `/confirm-email?token=${token}`, '/confirm-email', <ConfirmEmailPage />, null);
    await userEvent.click(screen.getByRole('button', { name: 'Confirm e-mail address' }));
    expect((await screen.findByRole('status')).textContent).toContain('ian@initech.example is confirmed');
    expect(scripted.sent[0]?.body).toEqual({ token });
  });

  it('says a 410 confirmation-used in words and offers no second try', async () => {
    const scripted = scriptedApi({ 'POST /email-confirmations': problem(410, 'confirmation-used') });
    renderPage(scripted.api, `/confirm-email?token=${token}`, '/confirm-email', <ConfirmEmailPage />, null);
    await userEvent.click(screen.getByRole('button', { name: 'Confirm e-mail address' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This confirmation link has been used already: the address is confirmed.');
    expect(screen.queryByRole('button', { name: 'Confirm e-mail address' })).toBeNull();
  });
});
