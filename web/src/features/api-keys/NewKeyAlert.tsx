import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ROLE_LABEL } from '../../shared/labels';
import { exactTime } from '../../shared/time';
import type { CreatedKey } from './keyScope';

/** The new key, the one time it is shown: read-only, with a copy button and the warning. */
export function NewKeyAlert({ created }: { created: CreatedKey }) {
  return (
    <section aria-label={`Key of ${created.name}`}>
      <Alert type="warning" header="Copy the key now: it will not be shown again">
        <SpaceBetween size="s">
          <Box variant="p" color="inherit">
            Only a hash of the key is stored, so nobody can show it to you later. Store it where the program keeps its secrets (a
            secrets manager, not the code). If it is lost, create a new key and revoke this one.
          </Box>
          <FormField
            label="API key"
            description={`${ROLE_LABEL[created.role]}; ${created.expiresAt ? `expires ${exactTime(created.expiresAt)}` : 'does not expire'}.`}
            stretch
          >
            <div className="api-key-secret">
              <div className="api-key-secret__value">
                {/* Focus moves here when the form gives way to the key, so keyboard and screen-reader users land on it. */}
                <Input value={created.key} readOnly spellcheck={false} autoComplete={false} autoFocus />
              </div>
              <CopyToClipboard variant="button" textToCopy={created.key} copyButtonText="Copy key" copySuccessText="Key copied" copyErrorText="The key could not be copied" />
            </div>
          </FormField>
          <Box variant="p" color="inherit">
            A program sends it with every request: <Box variant="code">Authorization: Bearer mck_…</Box>
          </Box>
        </SpaceBetween>
      </Alert>
    </section>
  );
}
