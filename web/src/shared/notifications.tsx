// The page's notifications (Cloudscape Flashbar in the app layout): a write that succeeded says
// so there, and stays until dismissed or the next one.
import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

type Notify = (type: 'success' | 'error' | 'info', content: ReactNode) => void;

const NotificationsContext = createContext<{ items: FlashbarProps.MessageDefinition[]; notify: Notify } | null>(null);

let nextId = 0;

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
  const notify = useCallback<Notify>((type, content) => {
    const id = String((nextId += 1));
    const dismiss = () => setItems((current) => current.filter((item) => item.id !== id));
    // The latest first, at most three.
    setItems((current) => [{ id, type, content, dismissible: true, dismissLabel: 'Dismiss', onDismiss: dismiss }, ...current].slice(0, 3));
  }, []);
  const value = useMemo(() => ({ items, notify }), [items, notify]);
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

export function useNotifications() {
  const context = useContext(NotificationsContext);
  if (!context) throw new Error('useNotifications outside NotificationsProvider');
  return context;
}

export const useNotify = () => useNotifications().notify;
