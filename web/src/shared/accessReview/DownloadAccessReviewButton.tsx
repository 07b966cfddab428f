import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../../auth/AuthContext';
import { problemSentence } from '../problems';
import { fetchAccessReviewCsv, saveFile } from './download';

/**
 * "Download access review (CSV)": who has access to the customer (members, service users, API
 * keys) as the API's CSV, saved as a file. Reads only, and only when pressed.
 */
export function DownloadAccessReviewButton({ customerId }: { customerId: string }) {
  const api = useApi();
  const download = useMutation({
    mutationFn: () => fetchAccessReviewCsv(api, customerId),
    onSuccess: saveFile,
  });
  return (
    <SpaceBetween size="xxs">
      <Button formAction="none" iconName="download" onClick={() => download.mutate()} loading={download.isPending}>
        Download access review (CSV)
      </Button>
      {download.isError ? (
        <Box variant="small" color="text-status-error">
          <span role="alert">The access review could not be downloaded. {problemSentence(download.error)}</span>
        </Box>
      ) : null}
    </SpaceBetween>
  );
}
