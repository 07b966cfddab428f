import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { page, problem, renderPage, scriptedApi } from '../member/test/render';
import { PendingMessagesFirst } from './PendingMessages';

const message = (messageId: string, text: string, mode = 'ALL_MUST_READ') => ({
  messageId, customerId: 'acme', text, mode, sender: { userId: 'olivia', email: 'olivia@platform.example' }, sentAt: '2026-01-15T10:30:00Z',
});
const first = message('019bc1a0-0000-7000-8000-000000000001', 'Maintenance on Saturday.');
const second = message('019bc1a0-0000-7000-8000-000000000002', 'Please rotate your keys.', 'SINGLE_READ');

describe('pending messages at login', () => {
  it('shows each message and acknowledges them one by one before going on', async () => {
    const scripted = scriptedApi({
      'GET /me/messages': page([first, second]),
      [`POST /me/messages/${first.messageId}/acknowledgement`]: { status: 204 },
      // Another recipient resolved the single-read message meanwhile: nothing left to acknowledge.
      [`POST /me/messages/${second.messageId}/acknowledgement`]: problem(404, 'not-found'),
    });
    renderPage(scripted.api, '/', '/', <PendingMessagesFirst><p>The user's area</p></PendingMessagesFirst>);
    expect(await screen.findByText('Maintenance on Saturday.')).toBeTruthy();
    expect(screen.getByText('Message 1 of 2')).toBeTruthy();
    expect(screen.queryByText("The user's area")).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge message' }));
    expect(await screen.findByText('Please rotate your keys.')).toBeTruthy();
    expect(screen.getByText(/disappears for everyone/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge message' }));
    expect(await screen.findByText("The user's area")).toBeTruthy();
    expect(scripted.sent.filter((r) => r.method === 'POST').map((r) => [r.path, r.body])).toEqual([
      [`/me/messages/${first.messageId}/acknowledgement`, undefined],
      [`/me/messages/${second.messageId}/acknowledgement`, undefined],
    ]);
  });

  it('goes straight on when there is no message', async () => {
    const scripted = scriptedApi({ 'GET /me/messages': page([]) });
    renderPage(scripted.api, '/', '/', <PendingMessagesFirst><p>The user's area</p></PendingMessagesFirst>);
    expect(await screen.findByText("The user's area")).toBeTruthy();
  });

  it('keeps a message whose acknowledgement failed, and says why', async () => {
    const scripted = scriptedApi({
      'GET /me/messages': page([first]),
      [`POST /me/messages/${first.messageId}/acknowledgement`]: [problem(503, 'service-unavailable', 'try again in a moment'), { status: 204 }],
    });
    renderPage(scripted.api, '/', '/', <PendingMessagesFirst><p>The user's area</p></PendingMessagesFirst>);
    await userEvent.click(await screen.findByRole('button', { name: 'Acknowledge message' }));
    expect((await screen.findByRole('alert')).textContent).toContain('try again in a moment');
    expect(screen.getByText('Maintenance on Saturday.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge message' }));
    expect(await screen.findByText("The user's area")).toBeTruthy();
  });
});
