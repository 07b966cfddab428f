import { useEffect } from 'react';

/** The tab's title says the page: "Customers · meshcustomers". */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · meshcustomers` : 'meshcustomers';
  }, [title]);
}
