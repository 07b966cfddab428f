import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SignedInUser } from '../../auth/claims';
import { fakeApi, partnerAdmin, problem, renderPage } from '../../testing/render';
import PartnerApiKeysPage from './PartnerApiKeysPage';

const SECRET = `mck_${'A1b2C3d4E5'.repeat(4)}xyz`;
const existing = {
  keyId: '019bc194-99a0-7e55-8f60-718293a4b5c1', name: 'billing-sync', role: 'PARTNER_EMPLOYEE', partnerId: 'acme',
  createdAt: '2026-11-01T10:00:00Z', createdBy: 'u-pat', expiresAt: null, lastUsedAt: '2026-12-01T09:00:00Z',
};
const made = {
  keyId: '019bc194-99a0-7e55-8f60-718293a4b5c2', name: 'pipeline', role: 'PARTNER_ADMIN', partnerId: 'acme',
  createdAt: '2026-12-07T10:00:00Z', createdBy: 'u-pat', expiresAt: '2027-03-07T10:00:00Z', lastUsedAt: null,
};
const list = (...items: unknown[]) => ({ status: 200, body: { items } });
const platformAdmin: SignedInUser = { ...partnerAdmin, sub: 'u-olivia', name: 'Olivia', groups: ['platform-admins'], partnerId: null, adminRole: 'PLATFORM_ADMIN' };

/** Every text and every input's value on the page: where a secret would show. */
const everythingShown = () =>
  `${document.body.textContent ?? ''} ${[...document.querySelectorAll('input, textarea')].map((e) => (e as HTMLInputElement).value).join(' ')}`;

const chooseOption = async (button: HTMLElement, label: string) => {
  await userEvent.click(button);
  await userEvent.click(await screen.findByText(label, { selector: '[role=option] *' }));
};

describe('PartnerApiKeysPage', () => {
  it('creates a key and shows it once, with a copy button and the warning; closed, it is gone, and the list never shows it', async () => {
    const user = userEvent.setup();
    const { api, seen, writes } = fakeApi([
      ['GET /api-keys', list(existing)],
      ['POST /api-keys', { status: 201, body: { ...made, key: SECRET } }],
      ['GET /api-keys', list(existing, made)],
    ]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys' });
    expect(await screen.findByText('billing-sync')).toBeTruthy();
    // A partner admin's own partner: the API takes it from the token.
    expect(seen[0]!.path).toBe('/api-keys');

    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await within(dialog).findByText('Enter a name for the key.')).toBeTruthy();
    expect(writes()).toEqual([]);

    await user.type(within(dialog).getByRole('textbox', { name: /Key name/ }), '  pipeline ');
    await chooseOption(within(dialog).getByRole('button', { name: /Role/ }), 'Partner admin');
    const before = Date.now();
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const shown = await within(dialog).findByRole('region', { name: 'Key of pipeline' });
    expect(within(shown).getByDisplayValue(SECRET)).toBeTruthy();
    expect(within(shown).getByText('Copy the key now: it will not be shown again')).toBeTruthy();
    const sent = writes()[0]!;
    expect(sent.path).toBe('/api-keys');
    expect(sent.body).toMatchObject({ name: 'pipeline', role: 'PARTNER_ADMIN' });
    expect(sent.body).not.toHaveProperty('partnerId');
    // The default expiry: 90 days from now, in UTC.
    const expiresAt = new Date((sent.body as { expiresAt: string }).expiresAt).getTime();
    expect(Math.abs(expiresAt - (before + 90 * 24 * 3600 * 1000))).toBeLessThan(60_000);

    await user.click(within(shown).getByRole('button', { name: 'Copy key' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);

    // The table behind refreshed: the new key is listed, without its secret.
    const table = screen.getByRole('table', { name: 'API keys of the partner acme' });
    expect(await within(table).findByText('pipeline')).toBeTruthy();
    expect(table.textContent).not.toContain(SECRET);

    // A click beside the modal (on its overlay) does not lose the key.
    fireEvent.mouseDown(dialog);
    fireEvent.click(dialog);
    expect(document.body.contains(dialog)).toBe(true);
    expect(screen.getByDisplayValue(SECRET)).toBeTruthy();

    await user.click(within(dialog).getByRole('button', { name: 'I have stored the key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(everythingShown()).not.toContain(SECRET);

    // Opened again, the modal is a new form: the key is not there any more.
    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const again = await screen.findByRole('dialog');
    expect(within(again).getByRole('textbox', { name: /Key name/ })).toHaveProperty('value', '');
    expect(everythingShown()).not.toContain(SECRET);
  });

  it('never shows a secret in the list, even were an answer to carry one', async () => {
    const { api } = fakeApi([['GET /api-keys', list({ ...existing, key: SECRET })]]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys' });
    expect(await screen.findByText('billing-sync')).toBeTruthy();
    expect(screen.getByText('Partner employee')).toBeTruthy();
    expect(everythingShown()).not.toContain(SECRET);
  });

  it('revokes only after a confirmation naming the key, and says a refusal in words inside the modal', async () => {
    const { api, writes } = fakeApi([
      ['GET /api-keys', list(existing)],
      ['DELETE /api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1', problem(404, 'api-key-not-found')],
      ['GET /api-keys', list(existing)],
      ['DELETE /api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1', { status: 204 }],
      ['GET /api-keys', list()],
    ]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys' });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke billing-sync' }));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Revoke the API key billing-sync?')).toBeTruthy();
    expect(within(dialog).getByText(/can no longer call the API as the partner acme/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(writes()).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Revoke billing-sync' }));
    dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke billing-sync' }));
    expect(await within(dialog).findByText('This API key no longer exists: it was revoked meanwhile.')).toBeTruthy();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke billing-sync' }));
    expect(await screen.findByText('The API key billing-sync was revoked.')).toBeTruthy();
    expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'DELETE /api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1',
      'DELETE /api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1',
    ]);
    expect(await screen.findByText('No API keys')).toBeTruthy();
  });

  it("shows the API's refusals in words: the limit in the modal, a field error next to its field; no key is shown", async () => {
    const { api } = fakeApi([
      ['GET /api-keys', list(existing)],
      ['POST /api-keys', problem(409, 'too-many-api-keys')],
      ['GET /api-keys', list(existing)],
      ['POST /api-keys', problem(400, 'validation-error', { errors: { '/expiresAt': 'at most 366 days ahead' } })],
      ['GET /api-keys', list(existing)],
    ]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys' });
    await userEvent.click(await screen.findByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Key name/ }), 'one more');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create key' }));
    // Said in the form's error (Cloudscape repeats it in a live region for screen readers).
    expect((await within(dialog).findAllByText(/There are 50 API keys already/)).length).toBeGreaterThan(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await within(dialog).findByText('at most 366 days ahead')).toBeTruthy();
    expect(within(dialog).queryByRole('region', { name: /Key of/ })).toBeNull();
  });

  it('says a list that cannot be read in words', async () => {
    const { api } = fakeApi([['GET /api-keys', problem(403, 'forbidden')]]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys' });
    expect(await screen.findByText('Not allowed: forbidden happened.')).toBeTruthy();
  });

  it('lets a platform admin choose the partner (kept in the URL) and names it in every call', async () => {
    const { api, seen, writes } = fakeApi([
      ['GET /api-keys', list(existing)],
      ['POST /api-keys', { status: 201, body: { ...made, key: SECRET } }],
      ['GET /api-keys', list(existing, made)],
      ['DELETE /api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1', { status: 204 }],
      ['GET /api-keys', list(made)],
    ]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys', user: platformAdmin });
    const partner = await screen.findByRole('textbox', { name: /Partner/ });
    await userEvent.click(screen.getByRole('button', { name: 'Show keys' }));
    expect(await screen.findByText(/Enter a partner's id/)).toBeTruthy();
    expect(seen).toEqual([]);

    await userEvent.type(partner, 'acme');
    await userEvent.click(screen.getByRole('button', { name: 'Show keys' }));
    expect(await screen.findByText('billing-sync')).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/admin/api-keys?partner=acme');
    expect(seen[0]!.path).toBe('/api-keys?partnerId=acme');

    await userEvent.click(screen.getByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Key name/ }), 'pipeline');
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Never' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create key' }));
    await within(dialog).findByDisplayValue(SECRET);
    expect(writes()[0]!.body).toEqual({ name: 'pipeline', role: 'PARTNER_EMPLOYEE', partnerId: 'acme' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'I have stored the key' }));

    await userEvent.click(await screen.findByRole('button', { name: 'Revoke billing-sync' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke billing-sync' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    expect(writes()[1]!.path).toBe('/api-keys/019bc194-99a0-7e55-8f60-718293a4b5c1?partnerId=acme');
  });

  it('tells a partner employee who manages the keys, and reads nothing', async () => {
    const { api, seen } = fakeApi([]);
    renderPage(<PartnerApiKeysPage />, { api, path: '/admin/api-keys', user: { ...partnerAdmin, adminRole: 'PARTNER_EMPLOYEE' } });
    expect(await screen.findByText('The API keys of a partner are managed by its partner admins.')).toBeTruthy();
    expect(seen).toEqual([]);
  });
});
