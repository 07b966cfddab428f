import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { formProblem, isStale, noProblem, type FormProblem } from '../problems';
import { StaleAlert } from '../StaleAlert';
import { TagValueInput } from './TagValueInput';
import { tagValueProblem, type TagDefinition, type TagValues } from './tagValues';

/** The tag values as one line of text, for the "now stored" side of a 412. */
export const tagsText = (definitions: TagDefinition[], tags: TagValues) =>
  definitions.map((d) => `${d.displayName}: ${(tags[d.key] ?? []).join(', ') || '(not set)'}`).join('; ') || 'no tags';

/**
 * A customer's tag values as a form: one input per definition it may edit. Sends only the keys
 * that changed (a merge: `null` removes a value), so a restricted value it does not show stays.
 * A 412 shows what is stored now and offers to apply the edit again.
 */
export function TagsForm({
  definitions, stored, save, saveLabel = 'Save tags',
}: {
  definitions: TagDefinition[];
  stored: TagValues;
  /** Sends the merge; rejects with the ApiError. */
  save: (changes: Record<string, string[] | null>) => Promise<unknown>;
  saveLabel?: string;
}) {
  const [edited, setEdited] = useState<TagValues>({});
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const valuesOf = (key: string) => edited[key] ?? stored[key] ?? [];
  const changes = Object.fromEntries(
    Object.entries(edited)
      .filter(([key, values]) => values.join('\u0000') !== (stored[key] ?? []).join('\u0000'))
      .map(([key, values]) => [key, values.length > 0 ? values : null]),
  );
  const localErrors = Object.fromEntries(
    definitions.map((d) => [d.key, tagValueProblem(d, valuesOf(d.key))] as const).filter(([key, error]) => error && key in edited),
  );

  const submit = async () => {
    if (Object.keys(localErrors).length > 0) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      await save(changes);
      setEdited({});
      setStale(false);
    } catch (error) {
      if (isStale(error)) setStale(true);
      else setProblem(formProblem(error, ['tags.*']));
    } finally {
      setBusy(false);
    }
  };

  if (definitions.length === 0) return <Box color="text-status-inactive">No tags are defined yet.</Box>;
  return (
    <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Form
        actions={<Button variant="primary" loading={busy} disabled={Object.keys(changes).length === 0}>{saveLabel}</Button>}
        errorText={problem.message}
      >
        <SpaceBetween size="m">
          {stale ? (
            <StaleAlert current={tagsText(definitions, stored)} mine={tagsText(definitions, { ...stored, ...edited })} onReapply={() => void submit()} busy={busy} />
          ) : null}
          {definitions.map((definition) => (
            <TagValueInput
              key={definition.key}
              definition={definition}
              values={valuesOf(definition.key)}
              onChange={(values) => setEdited((current) => ({ ...current, [definition.key]: values }))}
              error={localErrors[definition.key] ?? problem.fields[`tags.${definition.key}`]}
            />
          ))}
          {Object.keys(changes).length === 0 && !stale ? null : (
            <Alert type="info">Unsaved changes: {Object.keys(changes).map((k) => definitions.find((d) => d.key === k)?.displayName ?? k).join(', ')}.</Alert>
          )}
        </SpaceBetween>
      </Form>
    </form>
  );
}
