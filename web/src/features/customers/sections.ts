/** A customer's pages in the admin area, by the seed's actions: icon and label each. */
export const CUSTOMER_SECTIONS = [
  { id: 'users', text: 'Users', iconName: 'group' },
  { id: 'messages', text: 'Message', iconName: 'envelope' },
  { id: 'quota', text: 'Quota', iconName: 'settings' },
  { id: 'tags', text: 'Customer Tags', iconName: 'ticket' },
  { id: 'history', text: 'History', iconName: 'folder' },
] as const;
