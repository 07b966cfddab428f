import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';

export function Loading({ label }: { label: string }) {
  return (
    <div role="status">
      <Box textAlign="center" padding="xxl">
        <Spinner size="large" /> <Box variant="span">{label}</Box>
      </Box>
    </div>
  );
}
