import { useCallback } from 'react';
import { useNavigate } from 'react-router-dom';

/** Cloudscape links and buttons with an `href` navigate inside the page instead of reloading it. */
export function useFollow() {
  const navigate = useNavigate();
  return useCallback(
    (event: CustomEvent<{ href?: string; external?: boolean }>) => {
      const href = event.detail.href;
      if (!href || event.detail.external) return;
      event.preventDefault();
      navigate(href);
    },
    [navigate],
  );
}
