import Alert from '@cloudscape-design/components/alert';
import Link from '@cloudscape-design/components/link';
import { useFollow } from '../shared/navigation';

export function NotFoundPage() {
  const follow = useFollow();
  return (
    <Alert type="warning" header="Page not found">
      There is no page at this address. <Link href="/" onFollow={follow}>Go to the start page</Link>.
    </Alert>
  );
}

export function NoAdminRole() {
  const follow = useFollow();
  return (
    <Alert type="info" header="Admin Area">
      Your account has no role in the administration area. <Link href="/my" onFollow={follow}>Go to my customers</Link>.
    </Alert>
  );
}
