import Alert from '@cloudscape-design/components/alert';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useFollow } from '../shared/navigation';

export function NotFoundPage() {
  const follow = useFollow();
  return (
    <SpaceBetween size="m">
      <Header variant="h1">Page not found</Header>
      <Alert type="warning">
        There is no page at this address. <Link href="/" onFollow={follow}>Go to the start page</Link>.
      </Alert>
    </SpaceBetween>
  );
}

export function NoAdminRole() {
  const follow = useFollow();
  return (
    <SpaceBetween size="m">
      <Header variant="h1">Admin Area</Header>
      <Alert type="info">
        Your account has no role in the administration area. <Link href="/my" onFollow={follow}>Go to my customers</Link>.
      </Alert>
    </SpaceBetween>
  );
}
