import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useUser } from '../../auth/AuthContext';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { ApiKeysTable } from './ApiKeysTable';

/** components/schemas/PartnerId */
const PARTNER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Admin Area → API keys: the keys of a partner. A partner admin sees their own partner's; a
 * platform admin chooses the partner (`?partner=`, kept in the URL for deep links and Back).
 */
export default function PartnerApiKeysPage() {
  useDocumentTitle('API keys');
  const user = useUser();
  const [params, setParams] = useSearchParams();

  if (user?.adminRole === 'PARTNER_ADMIN') {
    return <ApiKeysTable scope={{ kind: 'partner', partnerId: null }} scopeName={`the partner ${user.partnerId ?? ''}`.trim()} variant="full-page" />;
  }
  if (user?.adminRole !== 'PLATFORM_ADMIN') {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">API keys</Header>
        <Alert type="info">The API keys of a partner are managed by its partner admins.</Alert>
      </SpaceBetween>
    );
  }

  const chosen = params.get('partner') ?? '';
  const partnerId = PARTNER_ID.test(chosen) ? chosen : '';
  const choose = (next: string) => setParams((current) => {
    const updated = new URLSearchParams(current);
    updated.set('partner', next);
    return updated;
  });
  const picker = <PartnerPicker partnerId={partnerId} suggested={user.partnerId} onChoose={choose} />;
  if (!partnerId) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1" description="Keys let programs call the API as a partner. Choose the partner whose keys you want to see.">API keys</Header>
        {picker}
      </SpaceBetween>
    );
  }
  return <ApiKeysTable key={partnerId} scope={{ kind: 'partner', partnerId }} scopeName={`the partner ${partnerId}`} variant="full-page" filter={picker} />;
}

/** The platform admin's choice of partner; nothing is read before it is a valid partner id. */
function PartnerPicker({ partnerId, suggested, onChoose }: { partnerId: string; suggested: string | null; onChoose: (partnerId: string) => void }) {
  const [text, setText] = useState(partnerId || suggested || '');
  const [touched, setTouched] = useState(false);
  useEffect(() => setText(partnerId || suggested || ''), [partnerId, suggested]);
  const value = text.trim();
  const error = touched && !PARTNER_ID.test(value) ? "Enter a partner's id: 1 to 64 letters, digits, '.', '_' or '-'." : null;
  return (
    <form
      aria-label="Choose the partner"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (PARTNER_ID.test(value)) onChoose(value);
      }}
    >
      <div className="partner-picker">
        <FormField
          label="Partner"
          errorText={error}
          description={partnerId ? undefined : "The partner's id, as its users' custom:partner_id says it."}
          secondaryControl={<Button formAction="submit">Show keys</Button>}
        >
          <Input value={text} onChange={({ detail }) => setText(detail.value)} autoComplete={false} spellcheck={false} />
        </FormField>
      </div>
    </form>
  );
}
