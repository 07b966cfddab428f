import { useEffect } from 'react';

/** Each page says what it is in the window title (and so in the browser's history and tabs). */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · meshcustomers`;
  }, [title]);
}
