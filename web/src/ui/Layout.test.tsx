import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SignedInUser } from '../auth/claims';
import { fakeApi, partnerAdmin, renderWithApi } from '../testing/render';
import { Layout } from './Layout';

const links = () => screen.getAllByRole('link').map((link) => link.textContent);

describe('layout', () => {
  it('shows the admin area and tag definitions to a partner admin, with the user and Sign out', () => {
    renderWithApi(<Layout />, fakeApi([]).api);
    expect(links()).toEqual(['Skip to content', 'Admin Area', 'Tag definitions', 'My customers']);
    expect(screen.getByText('pat@acme.example')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('shows a partner employee the admin area but not the tag definitions', () => {
    const employee: SignedInUser = { ...partnerAdmin, groups: ['partner-employees'], adminRole: 'PARTNER_EMPLOYEE' };
    renderWithApi(<Layout />, fakeApi([]).api, employee);
    expect(links()).toEqual(['Skip to content', 'Admin Area', 'My customers']);
  });

  it('shows a customer user only their customers', () => {
    const member: SignedInUser = { ...partnerAdmin, groups: [], partnerId: null, adminRole: null };
    renderWithApi(<Layout />, fakeApi([]).api, member);
    expect(links()).toEqual(['Skip to content', 'My customers']);
  });
});
