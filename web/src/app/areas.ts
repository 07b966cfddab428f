// The page's areas, each a chunk of its own: the first screen loads only the shell and its own
// area. `/` starts loading the area it will go to while it looks for pending messages.
export const loadCustomersArea = () => import('../features/customers/CustomersArea');
export const loadTagDefinitionsPage = () => import('../features/tag-definitions/TagDefinitionsPage');
export const loadAccountArea = () => import('../features/account/AccountArea');
export const loadPartnerApiKeysPage = () => import('../features/api-keys/PartnerApiKeysPage');
export const loadCustomerApiKeysPage = () => import('../features/api-keys/CustomerApiKeysPage');
export const loadLinkPages = () => import('../features/links/LinkPages');
export const loadPendingMessagesFirst = () => import('../features/messages/PendingMessagesFirst');
